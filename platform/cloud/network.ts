/** IPv4 CIDR arithmetic for laying out subnets; pure so that the layout can be unit-tested. */

/** The subnet ranges of one VPC: a small public and a large private subnet per availability zone. */
export interface SubnetLayout {
  /** `/20` public subnets (load balancers, NAT gateways), one per zone. */
  readonly public: readonly string[];
  /** `/18` private subnets (nodes and, with the VPC CNI, pods), one per zone. */
  readonly private: readonly string[];
}

function parseCidr(cidr: string): { base: number; prefix: number } {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) throw new Error(`VPC CIDR "${cidr}" is not an IPv4 CIDR such as 10.0.0.0/16`);
  const octets = match.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) throw new Error(`VPC CIDR "${cidr}" has an octet above 255`);
  const prefix = Number(match[5]);
  const base = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  return { base, prefix };
}

function format(address: number, prefix: number): string {
  return `${[24, 16, 8, 0].map((shift) => (address >>> shift) & 255).join('.')}/${prefix}`;
}

/**
 * Splits a `/16` VPC into, for each of up to three zones, a `/20` public subnet (from the first quarter) and a
 * `/18` private subnet (one of the other three quarters). Private subnets are large because the AWS VPC CNI gives
 * every pod a VPC address.
 */
export function subnetLayout(vpcCidr: string, zoneCount: number): SubnetLayout {
  const { base, prefix } = parseCidr(vpcCidr);
  if (prefix !== 16) throw new Error(`VPC CIDR "${vpcCidr}" must be a /16 (got /${prefix})`);
  if ((base & 0xffff) !== 0) throw new Error(`VPC CIDR "${vpcCidr}" has host bits set; use e.g. 10.0.0.0/16`);
  if (zoneCount < 2 || zoneCount > 3) throw new Error(`need 2 or 3 availability zones, got ${zoneCount}`);
  const zones = [...Array(zoneCount).keys()];
  return {
    public: zones.map((i) => format(base + i * 4096, 20)),
    private: zones.map((i) => format(base + (i + 1) * 16384, 18)),
  };
}
