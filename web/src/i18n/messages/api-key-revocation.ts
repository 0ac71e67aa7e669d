/** Revoking an API key: asked first, with the reason kept and shown with who and when. */
export const apiKeyRevocationEn = {
  'apiKeys.revokeTitle': 'Revoke this API key?',
  'apiKeys.revokeConfirm':
    'The integration using “{name}” stops working at once. This cannot be undone: a new key must be created.',
  'apiKeys.revokeReason': 'Why is it revoked?',
  'apiKeys.revokedBy': 'Revoked {when} by {who}: {reason}',
  'apiKeys.createdBy': 'Created by',
  'apiKeys.someone': 'a former member',
} as const;

export const apiKeyRevocationZh: Record<keyof typeof apiKeyRevocationEn, string> = {
  'apiKeys.revokeTitle': '停用这个 API 密钥？',
  'apiKeys.revokeConfirm': '使用“{name}”的对接系统会立即无法访问。停用后不能恢复，只能新建密钥。',
  'apiKeys.revokeReason': '停用原因',
  'apiKeys.revokedBy': '{who} 于 {when} 停用：{reason}',
  'apiKeys.createdBy': '创建人',
  'apiKeys.someone': '已离开的成员',
};
