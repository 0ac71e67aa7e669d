import type { ProblemMessages } from './types.ts';

/** Sign-up, sign-in, sessions, passwords, members, invitations, grants and organisation settings. */
export const accountProblems: ProblemMessages = {
  'invalid_credentials.login': {
    'zh-CN': { title: '登录失败', detail: '邮箱或密码不正确。', field: '密码不正确' },
    en: { title: 'Unauthorized', detail: 'Email or password is wrong.', field: 'wrong password' },
  },
  'invalid_credentials.password': {
    'zh-CN': { title: '登录失败', detail: '密码不正确。', field: '密码不正确' },
    en: { title: 'Unauthorized', detail: 'The password is wrong.', field: 'wrong password' },
  },
  'invalid_credentials.existing_account': {
    'zh-CN': { title: '密码不正确', detail: '此邮箱已有账号，请输入该账号的密码。', field: '密码不正确' },
    en: {
      title: 'Unauthorized',
      detail: 'This address already has an account: enter that account’s password.',
      field: 'wrong password',
    },
  },
  'invalid_credentials.signup': {
    'zh-CN': { title: '密码不正确', detail: '请输入注册时设置的密码。', field: '密码不正确' },
    en: {
      title: 'Unauthorized',
      detail: 'Enter the password you chose when signing up.',
      field: 'wrong password',
    },
  },
  invalid_credentials: {
    'zh-CN': { title: '登录失败', detail: '账号或密码不正确。', field: '密码不正确' },
    en: { title: 'Unauthorized', detail: 'The credentials are wrong.', field: 'wrong password' },
  },
  no_membership: {
    'zh-CN': { title: '没有权限', detail: '此账号不属于该机构，或该机构已停用。' },
    en: { title: 'Forbidden', detail: 'This account belongs to no such active organisation.' },
  },
  refresh_token_reused: {
    'zh-CN': { title: '需要重新登录', detail: '登录凭据已被使用过，为安全起见请重新登录。' },
    en: { title: 'Unauthorized', detail: 'This refresh token was already used; log in again.' },
  },
  token_invalid: {
    'zh-CN': {
      title: '链接无效',
      detail: '此链接无效、已过期或已被使用，请重新获取。',
      field: '链接无效、已过期或已被使用',
    },
    en: {
      title: 'Bad request',
      detail: 'This link is invalid, has expired or was already used; ask for a new one.',
      field: 'invalid, expired or already used',
    },
  },
  account_created_meanwhile: {
    'zh-CN': { title: '账号已存在', detail: '此邮箱刚刚注册了账号，请重新打开链接。' },
    en: {
      title: 'Conflict',
      detail: 'An account was created for this address meanwhile; open the link again.',
    },
  },
  login_throttled: {
    'zh-CN': {
      title: '尝试次数过多',
      detail: '此邮箱或当前网络登录失败次数过多，请 {seconds} 秒后再试，或重设密码。',
    },
    en: {
      title: 'Too many requests',
      detail:
        'Too many failed sign-in attempts for this e-mail address or from this network; try again in {seconds} seconds.',
    },
  },
  'password_too_weak.too_short': {
    'zh-CN': {
      title: '密码太弱',
      detail: '密码至少需要 {minLength} 个字符。',
      field: '至少 {minLength} 个字符',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'The password is too short: use at least {minLength} characters.',
      field: 'use at least {minLength} characters',
    },
  },
  'password_too_weak.guessable': {
    'zh-CN': {
      title: '密码太弱',
      detail: '密码太容易被猜到，请换一个更长、不常见的组合（不要用邮箱、姓名或机构名）。',
      field: '太容易被猜到',
    },
    en: {
      title: 'Unprocessable content',
      detail:
        'The password is too easy to guess: choose a longer, less common one (not your e-mail, name or organisation).',
      field: 'too easy to guess',
    },
  },
  password_too_weak: {
    'zh-CN': {
      title: '密码太弱',
      detail: '密码太容易被猜到，请换一个更长、不常见的组合。',
      field: '太容易被猜到',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'The password is too easy to guess: choose a longer, less common one.',
      field: 'too easy to guess',
    },
  },
  password_required: {
    'zh-CN': { title: '请设置密码', detail: '请为新账号设置密码。', field: '新账号需要设置密码' },
    en: {
      title: 'Unprocessable content',
      detail: 'Choose a password for your new account.',
      field: 'required for a new account',
    },
  },
  unknown_catalogue_template: {
    'zh-CN': {
      title: '目录模板不存在',
      detail: '没有名为“{template}”的目录模板。可选：{known}。',
      field: '没有这个模板（可选：{known}）',
    },
    en: {
      title: 'Unprocessable content',
      detail: "There is no catalogue template '{template}' (known: {known}).",
      field: 'unknown template (known: {known})',
    },
  },
  last_owner: {
    'zh-CN': { title: '不能移除', detail: '机构至少需要保留一位所有者。' },
    en: { title: 'Conflict', detail: 'An organisation needs at least one owner.' },
  },
  grant_exceeds_own_scopes: {
    'zh-CN': { title: '没有权限', detail: '您不能授予自己没有的{@scopes}权限。' },
    en: {
      title: 'Forbidden',
      detail: 'You cannot grant the {@scopes} scope, which you do not hold yourself.',
    },
  },
  grant_exceeds_own_sites: {
    'zh-CN': { title: '没有权限', detail: '您不能授予超出自己范围的院区权限（您只能访问部分院区）。' },
    en: { title: 'Forbidden', detail: 'You cannot grant access to sites beyond your own.' },
  },
  owner_required: {
    'zh-CN': { title: '没有权限', detail: '只有所有者才能设置、修改或移除所有者。' },
    en: { title: 'Forbidden', detail: 'Only an owner can make, change or remove an owner.' },
  },
  member_exceeds_own_access: {
    'zh-CN': { title: '没有权限', detail: '该成员拥有您没有的院区或权限，您不能修改或移除他。' },
    en: {
      title: 'Forbidden',
      detail:
        'This member holds sites or permissions you do not hold yourself, so you cannot change or remove them.',
    },
  },
  cannot_widen_own_access: {
    'zh-CN': { title: '没有权限', detail: '您不能扩大自己的角色或院区权限。' },
    en: { title: 'Forbidden', detail: 'You cannot widen your own role or site access.' },
  },
  already_member: {
    'zh-CN': { title: '已是成员', detail: '此人已经是本机构的成员。' },
    en: { title: 'Conflict', detail: 'This person is already a member of the organisation.' },
  },
  already_invited: {
    'zh-CN': { title: '已邀请', detail: '已向此邮箱发出邀请且尚未接受，请重新发送或撤回。' },
    en: {
      title: 'Conflict',
      detail: 'This address already has a pending invitation: resend or revoke it instead.',
    },
  },
  invitation_not_pending: {
    'zh-CN': { title: '邀请已处理', detail: '此邀请已被接受或撤回。' },
    en: { title: 'Conflict', detail: 'This invitation was already accepted or revoked.' },
  },
  invitation_not_found: {
    'zh-CN': { title: '邀请无效', detail: '此邀请链接无效。' },
    en: { title: 'Not found', detail: 'This invitation link is not valid.' },
  },
  invitation_used: {
    'zh-CN': { title: '邀请已使用', detail: '此邀请已被接受。' },
    en: { title: 'Gone', detail: 'This invitation was already accepted.' },
  },
  invitation_revoked: {
    'zh-CN': { title: '邀请已撤回', detail: '此邀请已被撤回。' },
    en: { title: 'Gone', detail: 'This invitation was withdrawn.' },
  },
  invitation_expired: {
    'zh-CN': { title: '邀请已过期', detail: '此邀请已过期，请联系管理员重新邀请。' },
    en: { title: 'Gone', detail: 'This invitation has expired; ask for a new one.' },
  },
  invitation_for_another_account: {
    'zh-CN': { title: '账号不符', detail: '此邀请发给的是另一个邮箱，请退出当前账号后重新打开链接。' },
    en: {
      title: 'Forbidden',
      detail: 'This invitation is for another e-mail address; sign out and open the link again.',
    },
  },
  sign_in_required: {
    'zh-CN': { title: '请输入密码', detail: '此邮箱已有账号，请输入该账号的密码以接受邀请。' },
    en: {
      title: 'Unauthorized',
      detail: 'An account exists for this address: enter its password to accept.',
    },
  },
  account_exists: {
    'zh-CN': { title: '账号已存在', detail: '此邮箱刚刚注册了账号，请登录后接受邀请。' },
    en: { title: 'Conflict', detail: 'An account for this address was just created: sign in to accept.' },
  },
  invalid_time_zone: {
    'zh-CN': {
      title: '时区无效',
      detail: '“{timezone}”不是有效的时区名称，请填写如 Asia/Shanghai 这样的名称。',
      field: '不是有效的时区名称（如 Asia/Shanghai）',
    },
    en: {
      title: 'Unprocessable content',
      detail: "'{timezone}' is not an IANA time zone name such as Asia/Shanghai.",
      field: 'not an IANA time zone name',
    },
  },
};
