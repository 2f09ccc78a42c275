# server/api: sources of this concern (appended to libserver-core.la).
