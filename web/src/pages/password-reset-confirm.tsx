import { useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { call, publicApi } from '../api/client';
import { TextField } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { ProblemBox } from '../lib/problem-text';
import { useQueryParam } from '../lib/query-string';
import { useAction } from '../lib/use-api';

/** The page a reset e-mail links to (/password-reset/confirm?token=…): choose a new password. */
export default function PasswordResetConfirmPage() {
  const { t } = useI18n();
  const token = useQueryParam('token');
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const set = useAction(async () => {
    await call(publicApi.POST('/v1/auth/password-reset/confirm', { body: { token, password } }));
    setDone(true);
  });
  const fields = set.error?.fieldErrors() ?? {};
  return (
    <div class="card auth-card" data-page="password-reset-confirm">
      <h1>{t('resetConfirm.title')}</h1>
      {done ? (
        <p role="status" data-testid="reset-done">
          {t('resetConfirm.done')}
        </p>
      ) : !token ? (
        <p role="alert">{t('problem.token_invalid')}</p>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void set.run();
          }}
        >
          <p>{t('resetConfirm.lead')}</p>
          <TextField
            label={t('resetConfirm.newPassword')}
            type="password"
            name="password"
            autoComplete="new-password"
            required
            minLength={10}
            value={password}
            onValue={setPassword}
            error={fields.password}
            hint={t('signup.passwordHint')}
          />
          <ProblemBox error={set.error} />
          <button type="submit" class="primary" disabled={set.busy}>
            {t('resetConfirm.submit')}
          </button>
        </form>
      )}
      <p>
        <Link href="/login">{t('signup.loginLink')}</Link>
      </p>
    </div>
  );
}
