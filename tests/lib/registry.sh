# SPDX-License-Identifier: GPL-2.0-or-later
# registry.sh: fetching from Debian's package registry in tests (POSIX sh;
# source it).

# registry_try_twice CMD [ARG...]: runs CMD, and once more 10 s later if it
# failed: a registry's passing hiccup is not a failed test.  Returns CMD's
# last status.  CMD must be safe to run again (cleaning up after itself).
registry_try_twice() {
    "$@" && return 0
    sleep 10
    "$@"
}
