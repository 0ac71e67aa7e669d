import { useState } from 'preact/hooks';
import { call, publicApi } from '../api/client';
import { AuthCard, AuthForm } from '../components/auth-card';
import { TextField } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { useAction } from '../lib/use-api';

/** Asks for a password-reset link. The answer is the same whether or not the address has an account. */
export default function PasswordResetPage() {
  const { t, locale } = useI18n();
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const ask = useAction(async () => {
    await call(publicApi.POST('/v1/auth/password-reset', { body: { email, locale } }));
    setSentTo(email);
  });
  const fields = ask.error?.fieldErrors() ?? {};
  return (
    <AuthCard page="password-reset" title={t('reset.title')}>
      {sentTo ? (
        <p role="status" data-testid="reset-sent">
          {t('reset.sent', { email: sentTo })}
        </p>
      ) : (
        <AuthForm action={ask} lead={t('reset.lead')} submit={t('reset.submit')}>
          <TextField
            label={t('field.email')}
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onValue={setEmail}
            error={fields.email}
          />
        </AuthForm>
      )}
    </AuthCard>
  );
}
