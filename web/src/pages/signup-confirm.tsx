import { useState } from 'preact/hooks';
import { useLocation } from 'wouter-preact';
import { call, publicApi } from '../api/client';
import { signedIn } from '../api/session';
import { AuthCard, AuthForm } from '../components/auth-card';
import { TextField } from '../components/ui';
import { useI18n } from '../i18n/i18n';
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
    <AuthCard page="signup-confirm" title={t('signupConfirm.title')}>
      {!token ? (
        <p role="alert">{t('problem.token_invalid')}</p>
      ) : (
        <AuthForm action={confirm} lead={t('signupConfirm.lead')} submit={t('signupConfirm.submit')}>
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
        </AuthForm>
      )}
    </AuthCard>
  );
}
