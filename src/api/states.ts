// The 11 states of a certificate revision (spec section 7) and how the console shows them.

/** In the order the console lists them. */
export const certificateStates = [
  'PendingApplication',
  'UnderReview',
  'ReviewFailed',
  'Issued',
  'ExpiringSoon',
  'Expired',
  'Revoked',
  'Hosted',
  'Inactive',
  'AutoDeploy',
  'Uploaded',
] as const;
export type CertificateState = (typeof certificateStates)[number];

/**
 * The order in which spec section 7 tests the states: the first that matches wins. The domain layer's
 * state function follows this order; tests use it to check that exactly one state holds.
 */
export const statePrecedence: readonly CertificateState[] = [
  'Revoked',
  'Expired',
  'Inactive',
  'ReviewFailed',
  'UnderReview',
  'PendingApplication',
  'AutoDeploy',
  'Hosted',
  'Uploaded',
  'ExpiringSoon',
  'Issued',
];

/** Console labels (spec section 7). */
export const stateLabels: Readonly<Record<CertificateState, string>> = {
  PendingApplication: '待申请',
  UnderReview: '审核中',
  ReviewFailed: '审核失败',
  Issued: '已签发',
  ExpiringSoon: '即将过期',
  Expired: '已过期',
  Revoked: '已吊销',
  Hosted: '已托管',
  Inactive: '未激活',
  AutoDeploy: '到期自动部署',
  Uploaded: '上传证书',
};

/** English display names (kubectl plugin, events). */
export const stateDisplayNames: Readonly<Record<CertificateState, string>> = {
  PendingApplication: 'Pending Application',
  UnderReview: 'Under Review',
  ReviewFailed: 'Review Failed',
  Issued: 'Issued',
  ExpiringSoon: 'Expiring Soon',
  Expired: 'Expired',
  Revoked: 'Revoked',
  Hosted: 'Hosted',
  Inactive: 'Inactive',
  AutoDeploy: 'Auto-Deploy',
  Uploaded: 'Uploaded',
};

export function isCertificateState(s: string): s is CertificateState {
  return (certificateStates as readonly string[]).includes(s);
}
