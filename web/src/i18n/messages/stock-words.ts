/** Par levels, scanned packs, and the words of the engine (models, inputs, demand classes). */
export const stockWordsEn = {
  'par.tab': 'Par levels',
  'par.intro':
    'The minimum and maximum each store or ward keeps of an item. Below the minimum you get an alert from the first day, before any usage history exists.',
  'par.empty': 'No par levels at this location yet.',
  'par.min': 'Minimum',
  'par.max': 'Maximum',
  'par.maxOptional': 'Maximum (optional)',
  'par.set': 'Set a par level',
  'par.remove': 'Remove',
  'par.confirmRemove': 'Remove the par level of {item}? Its below-minimum alert stops.',

  'scan.packEquals': '{quantity} {unit} = {base} {baseUnit}',
  'scan.recognised': 'Scanned: {item}, counted in {unit}',
} as const;

export const stockWordsZh: Record<keyof typeof stockWordsEn, string> = {
  'par.tab': '基数（最低/最高库存）',
  'par.intro':
    '各库房、科室对每种耗材保有的最低和最高数量。低于最低库存即预警，新机构没有任何用量记录时也有效。',
  'par.empty': '该库位尚未设置基数。',
  'par.min': '最低库存',
  'par.max': '最高库存',
  'par.maxOptional': '最高库存（可不填）',
  'par.set': '设置基数',
  'par.remove': '删除',
  'par.confirmRemove': '确定删除{item}的基数？低于最低库存的预警将不再产生。',

  'scan.packEquals': '{quantity} {unit} = {base} {baseUnit}',
  'scan.recognised': '已识别：{item}，按{unit}计数',
};
