/**
 * Cloud resource names have tighter rules than Pulumi names (GCP service account ids: 6-30 characters of lowercase
 * letters, digits and hyphens, starting with a letter). These helpers derive valid names from the component name.
 */

/** Lowercases, replaces anything but `[a-z0-9-]` with `-`, trims to `max` characters and strips edge hyphens. */
export function cloudName(base: string, max: number): string {
  const cleaned = base
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, max)
    .replace(/^-+|-+$/g, '');
  return /^[a-z]/.test(cleaned) ? cleaned : `p-${cleaned}`.slice(0, max).replace(/-+$/g, '');
}

/** A GCP service account id (6-30 characters) made of the base name and a suffix. */
export function serviceAccountId(base: string, suffix: string): string {
  const id = `${cloudName(base, 30 - suffix.length - 1)}-${suffix}`;
  return id.length >= 6 ? id : `${id}-sa`.slice(0, 30);
}
