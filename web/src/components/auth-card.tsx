import type { ComponentChildren } from 'preact';
import { Link } from 'wouter-preact';
import type { ApiError } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { ProblemBox } from '../lib/problem-text';

/** The card of the signed-out pages (sign-up confirmation, password reset): a title, a body, a way back to login. */
export function AuthCard(props: { page: string; title: string; children: ComponentChildren }) {
  const { t } = useI18n();
  return (
    <div class="card auth-card" data-page={props.page}>
      <h1>{props.title}</h1>
      {props.children}
      <p>
        <Link href="/login">{t('signup.loginLink')}</Link>
      </p>
    </div>
  );
}

/** One action's form on such a card: a lead sentence, its fields, the problem if it failed, one submit button. */
export function AuthForm(props: {
  action: { run: () => Promise<unknown>; busy: boolean; error: ApiError | undefined };
  lead: string;
  submit: string;
  children: ComponentChildren;
}) {
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void props.action.run();
      }}
    >
      <p>{props.lead}</p>
      {props.children}
      <ProblemBox error={props.action.error} />
      <button type="submit" class="primary" disabled={props.action.busy}>
        {props.submit}
      </button>
    </form>
  );
}
