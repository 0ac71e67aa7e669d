import { useState } from 'preact/hooks';
import { call, publicApi } from '../api/client';
import { AuthCard, AuthForm } from '../components/auth-card';
import { TextField } from '../components/ui';
import { useI18n } from '../i18n/i18n';
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
    <AuthCard page="password-reset-confirm" title={t('resetConfirm.title')}>
      {done ? (
        <p role="status" data-testid="reset-done">
          {t('resetConfirm.done')}
        </p>
      ) : !token ? (
        <p role="alert">{t('problem.token_invalid')}</p>
      ) : (
        <AuthForm action={set} lead={t('resetConfirm.lead')} submit={t('resetConfirm.submit')}>
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
        </AuthForm>
      )}
    </AuthCard>
  );
}
