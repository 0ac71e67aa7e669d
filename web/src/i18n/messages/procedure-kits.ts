/** Editing an existing procedure type's kit (手术包) on the procedures page. */
export const procedureKitsEn = {
  'proc.kitEdit': 'Edit kit',
  'proc.kitEditTitle': 'Edit the kit of {type}',
  'proc.kitSave': 'Save kit',
  'proc.kitDiscard': 'Discard changes',
  'proc.kitEmpty': 'No items in the kit.',
  'proc.kitQtyIn': 'Quantity per procedure ({unit})',
  'proc.kitLineQty': 'Quantity of {item} per procedure',
  'proc.kitRemoveLine': 'Remove',
  'proc.kitRemoveLineLabel': 'Remove {item} from the kit',
  'proc.kitRemoveTitle': 'Remove items from the kit?',
  'proc.kitRemoveConfirm':
    '{type}: {items} will no longer be in the kit. Scheduled procedures use the new kit from now on.',
  'proc.kitRemoveSubmit': 'Remove and save',
  'proc.kitSaved': 'The kit of {type} is saved.',
};

export const procedureKitsZh: Record<keyof typeof procedureKitsEn, string> = {
  'proc.kitEdit': '修改手术包',
  'proc.kitEditTitle': '修改{type}的手术包',
  'proc.kitSave': '保存手术包',
  'proc.kitDiscard': '放弃修改',
  'proc.kitEmpty': '手术包里还没有耗材。',
  'proc.kitQtyIn': '每台手术用量（{unit}）',
  'proc.kitLineQty': '{item}每台用量',
  'proc.kitRemoveLine': '移除',
  'proc.kitRemoveLineLabel': '从手术包移除{item}',
  'proc.kitRemoveTitle': '从手术包移除耗材？',
  'proc.kitRemoveConfirm': '{type}：{items}将不再属于手术包，已排程的手术从现在起按新手术包计算用量。',
  'proc.kitRemoveSubmit': '移除并保存',
  'proc.kitSaved': '{type}的手术包已保存。',
};
