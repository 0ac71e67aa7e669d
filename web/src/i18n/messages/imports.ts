/** The import page's encoding choice, templates and same-file refusal. */
export const importsEn = {
  'imports.encoding': 'File encoding',
  'imports.encoding.auto': 'Detect (UTF-8 or GBK)',
  'imports.encoding.utf-8': 'UTF-8',
  'imports.encoding.gb18030': 'GBK / GB18030 (Excel on Chinese Windows)',
  'imports.encoding.utf-16le': 'UTF-16 (Excel “Unicode text”)',
  'imports.readAs': 'read as {encoding}',
  'imports.templates': 'Templates for this kind, with example rows:',
  'imports.template.zh-CN': 'Chinese headers',
  'imports.template.en': 'English headers',
  'imports.templateHint':
    'Units (支, 盒 or piece, box), types (出库, 入库 or issue, receipt) and dates (2026/08/01, 2026-8-1, 2026年8月1日) may be written either way.',
} as const;

export const importsZh: Record<keyof typeof importsEn, string> = {
  'imports.encoding': '文件编码',
  'imports.encoding.auto': '自动识别（UTF-8 或 GBK）',
  'imports.encoding.utf-8': 'UTF-8',
  'imports.encoding.gb18030': 'GBK / GB18030（中文 Windows 版 Excel 另存的 CSV）',
  'imports.encoding.utf-16le': 'UTF-16（Excel“Unicode 文本”）',
  'imports.readAs': '按 {encoding} 读取',
  'imports.templates': '本类模板（含示例行）：',
  'imports.template.zh-CN': '中文表头',
  'imports.template.en': '英文表头',
  'imports.templateHint':
    '单位（支、盒 或 piece、box）、类型（出库、入库 或 issue、receipt）和日期（2026/08/01、2026-8-1、2026年8月1日）两种写法都可以。',
};
