// SPDX-License-Identifier: GPL-2.0-only
/*
 * s3d_qxl_drv.c: binds the QXL PCI device and registers the DRM device.
 */
#include <linux/module.h>
#include <linux/pci.h>

#include <drm/drm_aperture.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_fb_helper.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_module.h>
#include <drm/drm_print.h>

#include "s3d_qxl.h"

DEFINE_DRM_GEM_FOPS(s3d_qxl_fops);

static const struct drm_driver s3d_qxl_driver = {
	.driver_features = DRIVER_GEM | DRIVER_MODESET | DRIVER_ATOMIC,
	.fops = &s3d_qxl_fops,
	DRM_GEM_SHMEM_DRIVER_OPS,
	.name = S3D_QXL_NAME,
	.desc = "QXL display with flush-on-sleep suspend",
	.date = "20261129",
	.major = 1,
	.minor = 0,
};

static int s3d_qxl_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	struct s3d_qxl_device *q;
	int ret;

	ret = drm_aperture_remove_conflicting_pci_framebuffers(pdev, &s3d_qxl_driver);
	if (ret)
		return ret;
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	q = devm_drm_dev_alloc(&pdev->dev, &s3d_qxl_driver, struct s3d_qxl_device, drm);
	if (IS_ERR(q))
		return PTR_ERR(q);
	pci_set_drvdata(pdev, &q->drm);

	ret = s3d_qxl_hw_init(q, pdev);
	if (ret)
		return ret;
	ret = s3d_qxl_cmd_init(q);
	if (ret)
		goto err_hw;
	ret = s3d_qxl_kms_init(q);
	if (ret)
		goto err_cmd;
	ret = drm_dev_register(&q->drm, 0);
	if (ret)
		goto err_cmd;
	drm_info(&q->drm, "QXL rev %u: %llu KiB command memory, %u modes\n", pdev->revision,
		 (u64)q->rom.num_pages * PAGE_SIZE / 1024, q->n_modes);
	drm_fbdev_generic_setup(&q->drm, 32);
	return 0;

err_cmd:
	s3d_qxl_hw_finish(q);
	devm_free_irq(&pdev->dev, pdev->irq, q);
	s3d_qxl_cmd_finish(q);
	return ret;
err_hw:
	s3d_qxl_hw_finish(q);
	return ret;
}

static void s3d_qxl_remove(struct pci_dev *pdev)
{
	struct drm_device *drm = pci_get_drvdata(pdev);
	struct s3d_qxl_device *q = to_s3d_qxl(drm);

	drm_dev_unplug(drm);
	drm_atomic_helper_shutdown(drm);
	s3d_qxl_hw_finish(q);
	/* No interrupt may schedule release work past this point. */
	devm_free_irq(&pdev->dev, pdev->irq, q);
	s3d_qxl_cmd_finish(q);
}

static const struct pci_device_id s3d_qxl_pci_ids[] = {
	{ PCI_DEVICE(REDHAT_PCI_VENDOR_ID, QXL_DEVICE_ID_STABLE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, s3d_qxl_pci_ids);

static struct pci_driver s3d_qxl_pci_driver = {
	.name = S3D_QXL_NAME,
	.id_table = s3d_qxl_pci_ids,
	.probe = s3d_qxl_probe,
	.remove = s3d_qxl_remove,
	.driver.pm = &s3d_qxl_pm_ops,
};

drm_module_pci_driver(s3d_qxl_pci_driver);

MODULE_DESCRIPTION("QXL KMS driver whose suspend flushes surfaces and releases");
MODULE_LICENSE("GPL");
