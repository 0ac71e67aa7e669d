import { importFileMessages } from './import-files.ts';
import { masterDataMessages } from './master-data.ts';
import { notificationsMessages } from './notifications.ts';
import { purchasingDayMessages } from './purchasing-day.ts';
import { receivingMessages } from './receiving.ts';
import { stocktakeMessages } from './stocktake.ts';
import type { ProblemMessages } from './types.ts';

export type { ProblemLocale, ProblemMessages, ProblemText } from './types.ts';

/**
 * Every problem code the API can answer with, and its words in 简体中文 and English. Each area
 * keeps its own file beside this one and is spread in here (one line per area).
 */
export const PROBLEM_MESSAGES: ProblemMessages = {
  ...importFileMessages,
  ...masterDataMessages,
  ...notificationsMessages,
  ...purchasingDayMessages,
  ...receivingMessages,
  ...stocktakeMessages,
};
