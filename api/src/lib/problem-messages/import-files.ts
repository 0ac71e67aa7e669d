import type { ProblemMessages } from './types.ts';

/** Problems of an uploaded file as a whole (the same file twice). */
export const importFileMessages: ProblemMessages = {
  duplicate_import: {
    'zh-CN': {
      title: '这个文件已经导入过',
      detail:
        '同样内容的文件已于 {importedAt} 导入（导入编号 {importId}），再导入一次会把其中的数据重复计算。',
    },
    en: {
      title: 'This file was already imported',
      detail:
        'A file with the same content was imported on {importedAt} (import {importId}); importing it again would count its rows twice.',
    },
  },
};
