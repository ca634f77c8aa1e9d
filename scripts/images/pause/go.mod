module k8s-platform.local/pause

go 1.24
