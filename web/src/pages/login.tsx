import { useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { call, publicApi } from '../api/client';
import { signedIn } from '../api/session';
import { SelectField, TextField } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { ProblemBox } from '../lib/problem-text';
import { useAction } from '../lib/use-api';

export default function LoginPage() {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [orgs, setOrgs] = useState<{ id: string; name: string }[] | null>(null);
  const [org, setOrg] = useState('');
  const login = useAction(async (organizationId?: string) => {
    const r = await call(
      publicApi.POST('/v1/auth/login', {
        body: { email, password, ...(organizationId ? { organizationId } : {}) },
      }),
    );
    // A person in several organisations picks one; the token is for the default until then.
    if (!organizationId && r.organizations.length > 1) {
      setOrgs(r.organizations);
      setOrg(r.organizationId);
      return;
    }
    await signedIn(r.accessToken);
  });
  const fields = login.error?.fieldErrors() ?? {};
  return (
    <div class="card auth-card">
      <h1>{t('login.title')}</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void login.run(orgs ? org : undefined);
        }}
      >
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
        {orgs && (
          <SelectField
            label={t('login.organization')}
            value={org}
            onValue={setOrg}
            options={orgs.map((o) => ({ value: o.id, label: o.name }))}
          />
        )}
        <ProblemBox error={login.error?.status === 401 ? undefined : login.error} />
        {login.error?.status === 401 && (
          <div class="error-box" role="alert">
            {t('login.failed')}
          </div>
        )}
        <button type="submit" class="primary" disabled={login.busy}>
          {t('login.submit')}
        </button>
      </form>
      <p>
        <Link href="/password-reset">{t('login.forgot')}</Link>
      </p>
      <p>
        {t('login.noAccount')} <Link href="/signup">{t('login.signupLink')}</Link>
      </p>
    </div>
  );
}
