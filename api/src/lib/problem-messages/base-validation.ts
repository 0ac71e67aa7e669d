import type { ProblemMessages } from './types.ts';

/**
 * What a request-validation complaint says about one field, by validator keyword (the field's
 * label is sent beside it, never a regex or a schema path). Title only; `{limit}` and the others
 * are the validator's values.
 */
const m = (zh: string, en: string) => ({ 'zh-CN': { title: zh }, en: { title: en } });

export const validationMessages: ProblemMessages = {
  'validation.invalid': m('填写有误', 'is not valid'),
  'validation.required': m('必填', 'is required'),
  'validation.additionalProperties': m('不认识的字段', 'unknown field'),
  'validation.false schema': m('不允许填写此项', 'is not allowed here'),
  'validation.boolean': m('不允许填写此项', 'is not allowed here'),
  'validation.type': m('类型不正确', 'has the wrong type'),
  'validation.type.integer': m('必须是整数', 'must be a whole number'),
  'validation.type.number': m('必须是数字', 'must be a number'),
  'validation.type.string': m('必须是文字', 'must be text'),
  'validation.type.boolean': m('必须是“是”或“否”（true / false）', 'must be true or false'),
  'validation.type.array': m('必须是列表', 'must be a list'),
  'validation.type.object': m('必须是一组字段（对象）', 'must be an object'),
  'validation.type.null': m('必须为空', 'must be empty (null)'),
  'validation.minimum': m('不能小于 {limit}', 'must be at least {limit}'),
  'validation.exclusiveMinimum': m('必须大于 {limit}', 'must be greater than {limit}'),
  'validation.maximum': m('不能大于 {limit}', 'must be at most {limit}'),
  'validation.exclusiveMaximum': m('必须小于 {limit}', 'must be less than {limit}'),
  'validation.multipleOf': m('必须是 {multipleOf} 的整数倍', 'must be a multiple of {multipleOf}'),
  'validation.minLength': m('至少 {limit} 个字符', 'must be at least {limit} characters long'),
  'validation.minLength.one': m('不能为空', 'must not be empty'),
  'validation.maxLength': m('最多 {limit} 个字符', 'must be at most {limit} characters long'),
  'validation.minItems': m('至少要有 {limit} 项', 'must have at least {limit} entries'),
  'validation.minItems.one': m('至少要有一项', 'must have at least one entry'),
  'validation.maxItems': m('最多 {limit} 项', 'must have at most {limit} entries'),
  'validation.uniqueItems': m('不能有重复项', 'must not repeat an entry'),
  'validation.minProperties': m('至少要填写 {limit} 项', 'must have at least {limit} fields'),
  'validation.maxProperties': m('最多填写 {limit} 项', 'must have at most {limit} fields'),
  'validation.pattern': m('格式不正确', 'has the wrong format'),
  'validation.format': m('格式不正确', 'has the wrong format'),
  'validation.format.date': m('必须是日期，如 2026-08-01', 'must be a date such as 2026-08-01'),
  'validation.format.date-time': m(
    '必须是日期和时间，如 2026-08-01T09:00:00+08:00',
    'must be a date and time such as 2026-08-01T09:00:00+08:00',
  ),
  'validation.format.time': m('必须是时间，如 09:00:00', 'must be a time such as 09:00:00'),
  'validation.format.email': m('必须是有效的电子邮箱地址', 'must be an e-mail address'),
  'validation.format.uuid': m('必须是有效的编号（UUID）', 'must be an id (UUID)'),
  'validation.format.uri': m('必须是完整的网址', 'must be a full URL'),
  'validation.enum': m('必须是以下之一：{allowedValues}', 'must be one of: {allowedValues}'),
  'validation.enum.unlisted': m('不是可选的值之一', 'is not one of the allowed values'),
  'validation.const': m('必须是 {allowedValue}', 'must be {allowedValue}'),
  'validation.anyOf': m('不符合任何一种允许的写法', 'matches none of the allowed forms'),
  'validation.oneOf': m('必须且只能符合一种允许的写法', 'must match exactly one of the allowed forms'),
  'validation.not': m('不允许此值', 'this value is not allowed'),
  'validation.nul_character': m('不能包含空字符（U+0000）', 'must not contain NUL (U+0000) characters'),
  'validation.if': m('与其他字段的填写不一致', 'does not fit the other fields'),
};
