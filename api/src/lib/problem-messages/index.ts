import { accountProblems } from './base-accounts.ts';
import { billingProblems } from './base-billing.ts';
import { fieldLabels } from './base-fields.ts';
import { generalProblems } from './base-general.ts';
import { operationsProblems } from './base-operations.ts';
import { purchasingProblems } from './base-purchasing.ts';
import { stockProblems } from './base-stock.ts';
import { problemTerms } from './base-terms.ts';
import { validationMessages } from './base-validation.ts';
import { cellsProblems } from './cells.ts';
import { importFileMessages } from './import-files.ts';
import { masterDataMessages } from './master-data.ts';
import { notificationsMessages } from './notifications.ts';
import { observabilityMessages } from './observability.ts';
import { purchasingDayMessages } from './purchasing-day.ts';
import { receivingMessages } from './receiving.ts';
import { requisitionMessages } from './requisitions.ts';
import { stocktakeMessages } from './stocktake.ts';
import { tenantLifecycleMessages } from './tenant-lifecycle.ts';
import type { ProblemMessages } from './types.ts';

export type { ProblemLocale, ProblemMessages, ProblemText } from './types.ts';

/**
 * Every problem code the API can answer with, and its words in 简体中文 and English. Each area
 * keeps its own file beside this one and is spread in here (one line per area).
 */
export const PROBLEM_MESSAGES: ProblemMessages = {
  ...generalProblems,
  ...validationMessages,
  ...fieldLabels,
  ...problemTerms,
  ...accountProblems,
  ...billingProblems,
  ...cellsProblems,
  ...stockProblems,
  ...purchasingProblems,
  ...operationsProblems,
  ...importFileMessages,
  ...masterDataMessages,
  ...notificationsMessages,
  ...observabilityMessages,
  ...purchasingDayMessages,
  ...receivingMessages,
  ...requisitionMessages,
  ...stocktakeMessages,
  ...tenantLifecycleMessages,
};
