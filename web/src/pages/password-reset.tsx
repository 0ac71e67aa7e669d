import { useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { call, publicApi } from '../api/client';
import { TextField } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { ProblemBox } from '../lib/problem-text';
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
    <div class="card auth-card" data-page="password-reset">
      <h1>{t('reset.title')}</h1>
      {sentTo ? (
        <p role="status" data-testid="reset-sent">
          {t('reset.sent', { email: sentTo })}
        </p>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void ask.run();
          }}
        >
          <p>{t('reset.lead')}</p>
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
          <ProblemBox error={ask.error} />
          <button type="submit" class="primary" disabled={ask.busy}>
            {t('reset.submit')}
          </button>
        </form>
      )}
      <p>
        <Link href="/login">{t('signup.loginLink')}</Link>
      </p>
    </div>
  );
}
