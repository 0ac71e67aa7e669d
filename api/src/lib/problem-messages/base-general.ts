import type { ProblemMessages } from './types.ts';

/**
 * Problems any route can answer with: authentication and permissions, not found, request
 * framing, rate limits, idempotency, the database's own refusals, unavailable services.
 */
export const generalProblems: ProblemMessages = {
  not_found: {
    'zh-CN': { title: '未找到', detail: '未找到该{@resource}，它可能已被删除，或不在您可访问的院区内。' },
    en: { title: 'Not found', detail: 'The {@resource} was not found.' },
  },
  route_not_found: {
    'zh-CN': { title: '未找到', detail: '没有这个接口：{method} {path}。' },
    en: { title: 'Not found', detail: 'No route {method} {path}.' },
  },
  unauthorized: {
    'zh-CN': { title: '需要登录', detail: '请先登录。' },
    en: { title: 'Unauthorized', detail: 'Authentication is required.' },
  },
  'unauthorized.credentials': {
    'zh-CN': { title: '需要登录', detail: '请先登录，或提供有效的访问令牌或 API 密钥。' },
    en: { title: 'Unauthorized', detail: 'A valid access token or API key is required.' },
  },
  'unauthorized.no_refresh_token': {
    'zh-CN': { title: '需要登录', detail: '登录状态已失效，请重新登录。' },
    en: { title: 'Unauthorized', detail: 'No refresh token was sent.' },
  },
  'unauthorized.refresh_token': {
    'zh-CN': { title: '需要登录', detail: '登录已过期或已在别处退出，请重新登录。' },
    en: { title: 'Unauthorized', detail: 'The refresh token is invalid, expired or revoked.' },
  },
  forbidden: {
    'zh-CN': { title: '没有权限', detail: '您没有权限执行此操作。' },
    en: { title: 'Forbidden', detail: 'You may not do this.' },
  },
  'forbidden.role': {
    'zh-CN': { title: '没有权限', detail: '{@role}角色不能执行此操作（需要以下任一权限：{@scopes}）。' },
    en: {
      title: 'Forbidden',
      detail: "The role '{@role}' may not do this (it needs one of: {@scopes}).",
    },
  },
  'forbidden.api_key_scope': {
    'zh-CN': { title: '没有权限', detail: '此 API 密钥没有所需的权限（需要以下任一权限：{@scopes}）。' },
    en: { title: 'Forbidden', detail: 'This API key lacks the scope this needs (one of: {@scopes}).' },
  },
  'forbidden.owner_only': {
    'zh-CN': { title: '没有权限', detail: '只有机构所有者可以执行此操作。' },
    en: { title: 'Forbidden', detail: 'Only the organisation owner may do this.' },
  },
  all_sites_required: {
    'zh-CN': {
      title: '需要全部院区权限',
      detail: '此操作影响所有院区，只有可访问全部院区的用户才能执行。',
    },
    en: {
      title: 'Access to every site required',
      detail: 'This reaches every site; only a caller with access to every site may do it.',
    },
  },
  validation_failed: {
    'zh-CN': { title: '填写有误', detail: '{@part}中有填写不正确的地方，请按提示修改。', field: '填写有误' },
    en: { title: 'Bad request', detail: 'The request {@part} is not valid.', field: 'is not valid' },
  },
  bad_request: {
    'zh-CN': { title: '请求无效', detail: '请求无法处理。' },
    en: { title: 'Bad request', detail: 'The request could not be processed.' },
  },
  bad_url: {
    'zh-CN': { title: '请求无效', detail: '网址无效（可能含有错误的转义字符）。' },
    en: { title: 'Bad request', detail: 'The URL is not valid (a malformed escape?).' },
  },
  uri_too_long: {
    'zh-CN': { title: '网址过长', detail: '网址中的某一段过长。' },
    en: { title: 'URI too long', detail: 'A path segment is too long.' },
  },
  malformed_json: {
    'zh-CN': { title: '请求无效', detail: '请求内容不是有效的 JSON。' },
    en: { title: 'Bad request', detail: 'The request body is not valid JSON.' },
  },
  empty_json_body: {
    'zh-CN': { title: '请求无效', detail: '请求声明为 JSON，但内容为空。' },
    en: { title: 'Bad request', detail: 'The request says it is JSON but its body is empty.' },
  },
  body_too_large: {
    'zh-CN': { title: '内容过大', detail: '请求内容超过了允许的大小。' },
    en: { title: 'Content too large', detail: 'The request body is larger than allowed.' },
  },
  unsupported_media_type: {
    'zh-CN': { title: '不支持的内容类型', detail: '不支持的内容类型“{contentType}”，请以 JSON 发送。' },
    en: {
      title: 'Unsupported media type',
      detail: "The content type '{contentType}' is not supported; send JSON.",
    },
  },
  'unsupported_media_type.import': {
    'zh-CN': { title: '不支持的文件类型', detail: '请将文件作为请求内容上传，内容类型为：{contentTypes}。' },
    en: {
      title: 'Unsupported media type',
      detail: 'Send the file as the body with Content-Type {contentTypes}.',
    },
  },
  invalid_content_length: {
    'zh-CN': { title: '请求无效', detail: '请求声明的长度与实际内容不符。' },
    en: { title: 'Bad request', detail: 'The Content-Length does not match the body.' },
  },
  rate_limited: {
    'zh-CN': { title: '请求过于频繁', detail: '每分钟最多 {max} 次请求，请 {seconds} 秒后再试。' },
    en: {
      title: 'Too many requests',
      detail: 'The limit of {max} requests a minute is reached; retry in {seconds} seconds.',
    },
  },
  'rate_limited.unknown': {
    'zh-CN': { title: '请求过于频繁', detail: '请求过于频繁，请稍后再试。' },
    en: { title: 'Too many requests', detail: 'Too many requests; retry shortly.' },
  },
  internal_error: {
    'zh-CN': { title: '服务器内部错误', detail: '服务器出错了。反馈问题时请附上请求编号。' },
    en: {
      title: 'Internal server error',
      detail: 'Something went wrong on our side; quote the request id when reporting it.',
    },
  },
  database_unavailable: {
    'zh-CN': { title: '服务暂不可用', detail: '暂时无法连接数据库，请 {seconds} 秒后重试。' },
    en: {
      title: 'Service unavailable',
      detail: 'The database cannot be reached right now; retry in {seconds} seconds.',
    },
  },
  queue_unavailable: {
    'zh-CN': { title: '服务暂不可用', detail: '后台任务队列暂时无法连接，请稍后重试。' },
    en: { title: 'Service unavailable', detail: 'The job queue is not reachable; try again shortly.' },
  },
  'queue_unavailable.recalculation': {
    'zh-CN': { title: '服务暂不可用', detail: '后台任务队列暂时无法连接；定时重算稍后会照常进行。' },
    en: {
      title: 'Service unavailable',
      detail: 'The job queue is not reachable; the scheduled recalculation will run later.',
    },
  },
  'queue_unavailable.backtest': {
    'zh-CN': { title: '服务暂不可用', detail: '回测任务未能排队，请稍后重试。' },
    en: { title: 'Service unavailable', detail: 'The backtest could not be queued; try again shortly.' },
  },
  'queue_unavailable.import': {
    'zh-CN': { title: '服务暂不可用', detail: '导入任务未能排队，请稍后重新上传文件。' },
    en: {
      title: 'Service unavailable',
      detail: 'The import could not be queued; upload the file again shortly.',
    },
  },
  mail_unavailable: {
    'zh-CN': { title: '服务暂不可用', detail: '邮件暂时无法发送，请一分钟后重试。' },
    en: { title: 'Service unavailable', detail: 'E-mail cannot be sent right now; try again in a minute.' },
  },
  invalid_cursor: {
    'zh-CN': { title: '请求无效', detail: '分页游标无效。', field: '不是本接口返回的分页游标' },
    en: {
      title: 'Bad request',
      detail: 'The cursor is not valid.',
      field: 'not a cursor returned by this endpoint',
    },
  },

  // The database's own refusals, behind the request schemas.
  conflict: {
    'zh-CN': { title: '数据冲突', detail: '已存在相同的记录（编码或名称重复）。' },
    en: { title: 'Conflict', detail: 'A record with the same unique value already exists.' },
  },
  reference_conflict: {
    'zh-CN': { title: '数据冲突', detail: '所引用的记录不存在，或该记录仍在使用中。' },
    en: {
      title: 'Conflict',
      detail: 'The change refers to a record that does not exist or is still in use.',
    },
  },
  constraint_violated: {
    'zh-CN': { title: '无法处理', detail: '此修改不符合数据规则。' },
    en: { title: 'Unprocessable content', detail: 'The change violates a data rule.' },
  },
  invalid_value: {
    'zh-CN': { title: '请求无效', detail: '有一项的格式不正确。' },
    en: { title: 'Bad request', detail: 'A value has the wrong format.' },
  },
  'invalid_value.date': {
    'zh-CN': { title: '请求无效', detail: '日期或时间的格式不正确。' },
    en: { title: 'Bad request', detail: 'A date or time has the wrong format.' },
  },
  value_out_of_range: {
    'zh-CN': { title: '请求无效', detail: '有一个数值超出了允许范围。' },
    en: { title: 'Bad request', detail: 'A number is out of range.' },
  },
  'value_out_of_range.date': {
    'zh-CN': { title: '请求无效', detail: '日期或时间超出了允许范围。' },
    en: { title: 'Bad request', detail: 'A date or time is out of range.' },
  },
  value_too_long: {
    'zh-CN': { title: '请求无效', detail: '有一项内容过长。' },
    en: { title: 'Bad request', detail: 'A value is too long.' },
  },
  invalid_text: {
    'zh-CN': { title: '请求无效', detail: '文字中含有无法保存的字符。' },
    en: { title: 'Bad request', detail: 'A text value contains a character the database cannot store.' },
  },
  serialization_conflict: {
    'zh-CN': { title: '数据冲突', detail: '同时有其他修改与此冲突，请重试。' },
    en: { title: 'Conflict', detail: 'A concurrent change conflicted; retry the request.' },
  },

  // Idempotency-Key.
  invalid_idempotency_key: {
    'zh-CN': {
      title: '请求无效',
      detail: 'Idempotency-Key 须为 1–255 个网址安全字符。',
      field: '格式不正确',
    },
    en: {
      title: 'Bad request',
      detail: 'Idempotency-Key must be 1-255 URL-safe characters.',
      field: 'invalid format',
    },
  },
  idempotency_key_reused: {
    'zh-CN': { title: '无法处理', detail: '此 Idempotency-Key 已用于另一个不同的请求，请换一个新的。' },
    en: {
      title: 'Unprocessable content',
      detail: 'This Idempotency-Key was already used with a different request; use a new key.',
    },
  },
  idempotency_in_progress: {
    'zh-CN': { title: '正在处理', detail: '使用此 Idempotency-Key 的请求仍在处理中，请稍后重试。' },
    en: {
      title: 'Conflict',
      detail: 'A request with this Idempotency-Key is still running; retry shortly.',
    },
  },
  idempotent_secret_not_replayed: {
    'zh-CN': {
      title: '已处理',
      detail:
        '使用此 Idempotency-Key 的请求已经完成。其响应中含有密钥，密钥不会保存或重复发送：请查看该记录；如密钥丢失，请重新创建或轮换。',
    },
    en: {
      title: 'Conflict',
      detail:
        'The request with this Idempotency-Key was applied. Its response carried a credential, which is never stored or sent twice: look the resource up, and create or rotate a new credential if this one was lost.',
    },
  },
  idempotency_applied_response_lost: {
    'zh-CN': {
      title: '已处理',
      detail:
        '使用此 Idempotency-Key 的请求已经生效，但服务器中断导致响应丢失。它不会被再次执行，请查看记录确认结果。',
    },
    en: {
      title: 'Conflict',
      detail:
        'The request with this Idempotency-Key was applied, but its response was lost (the server stopped). It will not be applied again: read the resource to see the result.',
    },
  },
  idempotency_superseded: {
    'zh-CN': {
      title: '数据冲突',
      detail: '此请求处理超时，使用同一 Idempotency-Key 的重试已接管；本次请求未做任何修改。',
    },
    en: {
      title: 'Conflict',
      detail:
        'This request ran longer than the idempotency timeout and a retry with the same Idempotency-Key took over; nothing was changed by it.',
    },
  },
};
