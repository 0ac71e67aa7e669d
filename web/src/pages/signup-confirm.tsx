import { useState } from 'preact/hooks';
import { Link, useLocation } from 'wouter-preact';
import { call, publicApi } from '../api/client';
import { signedIn } from '../api/session';
import { TextField } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { ProblemBox } from '../lib/problem-text';
import { useQueryParam } from '../lib/query-string';
import { useAction } from '../lib/use-api';

/**
 * The page a sign-up e-mail links to (/signup/confirm?token=…). The password proves that the
 * person who opened the mailbox is the one who asked: the password chosen on the form, or the
 * existing account's password when the address already had one.
 */
export default function SignupConfirmPage() {
  const { t } = useI18n();
  const token = useQueryParam('token');
  const [, navigate] = useLocation();
  const [password, setPassword] = useState('');
  const confirm = useAction(async () => {
    const r = await call(publicApi.POST('/v1/auth/signup/confirm', { body: { token, password } }));
    await signedIn(r.accessToken);
    navigate('/', { replace: true });
  });
  const fields = confirm.error?.fieldErrors() ?? {};
  return (
    <div class="card auth-card" data-page="signup-confirm">
      <h1>{t('signupConfirm.title')}</h1>
      {!token ? (
        <p role="alert">{t('problem.token_invalid')}</p>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void confirm.run();
          }}
        >
          <p>{t('signupConfirm.lead')}</p>
          <TextField
            label={t('field.password')}
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onValue={setPassword}
            error={fields.password}
          />
          <ProblemBox error={confirm.error} />
          <button type="submit" class="primary" disabled={confirm.busy}>
            {t('signupConfirm.submit')}
          </button>
        </form>
      )}
      <p>
        <Link href="/login">{t('signup.loginLink')}</Link>
      </p>
    </div>
  );
}
