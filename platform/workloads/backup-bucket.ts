/**
 * A backup kept in object storage (S3 on EKS, GCS on GKE, a bucket the user names on an existing cluster): the
 * database's image dumps into scratch space (a generic ephemeral volume, deleted with the pod) in an init
 * container, then rclone copies the dump and its checksum to the bucket. The bucket, its encryption, its lifecycle
 * (the retention) and the ServiceAccount's access to its own prefix only are the Pulumi side's, which also writes
 * the ConfigMap `<database>-backup-target` the upload reads its remote from (rclone's `RCLONE_CONFIG_TARGET_*`
 * variables, `BACKUP_BUCKET`, `BACKUP_PATH`) and, on an existing cluster, the Secret of the same name with the
 * bucket's keys: nothing of the bucket is in `charts-out/`.
 *
 * A restore is the same pod turned around (`k8s-platform restore`): rclone fetches the backup into the scratch
 * space in an init container, then the database's image checks and restores it.
 */
import type { k8s } from 'cdk8s-plus-27';
import { BACKUP_NAME_PATTERN, BACKUP_DIR, RESTORE_REFUSED_EXIT } from './backup-scripts';

/** rclone's image (Alpine, `sh`), pinned: it speaks S3 and GCS with the pod's cloud identity (`env_auth`). */
export const RCLONE_IMAGE = 'rclone/rclone:1.71.0';
/** The rclone container's name in a backup pod (the uploader). */
export const UPLOAD_CONTAINER = 'upload';
/** The rclone init container's name in a restore pod (the downloader). */
export const DOWNLOAD_CONTAINER = 'download';
/** The database image's container (the dump, or the restore). */
export const DUMP_CONTAINER = 'backup';

/** The rclone container's script: `backup` uploads, `list` lists, `restore` downloads one backup. */
export function bucketScript(): string {
  return `set -eu
remote="target:$BACKUP_BUCKET/$BACKUP_PATH"
dir=${BACKUP_DIR}
refuse() { echo "restore refused: $*" >&2; exit ${RESTORE_REFUSED_EXIT}; }
case "\${BACKUP_MODE:-backup}" in
backup)
  name=$(ls -1 "$dir" | grep -E '${BACKUP_NAME_PATTERN}' || true)
  [ "$(echo "$name" | grep -c .)" -eq 1 ] || { echo "upload: no complete backup in $dir" >&2; exit 1; }
  # The dump first, its checksum last: a backup without its checksum is one a restore refuses as never completed.
  rclone copyto "$dir/$name" "$remote/$name" --immutable
  rclone copyto "$dir/$name.sha256" "$remote/$name.sha256" --immutable
  echo "uploaded $name to $remote"
  ;;
list)
  rclone lsf "$remote" | grep -E '${BACKUP_NAME_PATTERN}' | sort || true
  ;;
restore)
  name="\${BACKUP_NAME:-latest}"
  if [ "$name" = latest ]; then
    name=$(rclone lsf "$remote" | grep -E '${BACKUP_NAME_PATTERN}' | grep -F ".$BACKUP_ENGINE.dump" | sort | tail -n 1 || true)
    [ -n "$name" ] || refuse "there is no $BACKUP_ENGINE backup in $remote"
  fi
  echo "$name" | grep -qE '${BACKUP_NAME_PATTERN}' || refuse "$name is not a backup name (list them with --list)"
  [ -n "$(rclone lsf "$remote/$name" 2>/dev/null || true)" ] || refuse "backup $name does not exist in $remote (list them with --list)"
  rclone copyto "$remote/$name" "$dir/$name"
  rclone copyto "$remote/$name.sha256" "$dir/$name.sha256" 2>/dev/null || true
  echo "downloaded $name from $remote"
  ;;
esac
`;
}

/** Where the rclone container takes its remote from: the Pulumi side's ConfigMap (and Secret, when keys are needed). */
export function bucketEnvFrom(targetName: string): k8s.EnvFromSource[] {
  return [{ configMapRef: { name: targetName } }, { secretRef: { name: targetName, optional: true } }];
}
