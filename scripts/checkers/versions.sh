# Pinned versions of the Python peer checkers (sourced by install.sh). kube-score and kubeconform are pinned in
# ../cluster/versions.sh and built by ../cluster/build-tools.sh.
CHECKOV_VERSION=3.3.30
# Kubernetes JSON schemas for kubeconform; the 1.33 schemas match the cluster version the platform targets.
KUBERNETES_VALIDATE_VERSION=1.33.1
KUBERNETES_SCHEMA_VERSION=v1.33.0
