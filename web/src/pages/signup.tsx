import { useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { call, publicApi } from '../api/client';
import { ErrorBox, Loading, TextField } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { ProblemBox } from '../lib/problem-text';
import { useAction, useApi } from '../lib/use-api';

/** Sign-up: organisation, owner, first site and a starter catalogue → a confirmation e-mail. */
export default function SignupPage() {
  const { t, locale, pick, money } = useI18n();
  const [form, setForm] = useState({ organizationName: '', name: '', email: '', password: '', siteName: '' });
  const [template, setTemplate] = useState('');
  const templates = useApi(() => call(publicApi.GET('/v1/catalogue-templates')), []);
  const preview = useApi(
    () =>
      template
        ? call(
            publicApi.GET('/v1/catalogue-templates/{code}', {
              params: { path: { code: template }, query: { limit: 8 } },
            }),
          )
        : Promise.resolve(undefined),
    [template],
  );
  // The answer never says whether the address has an account: the e-mailed link finishes it.
  const [sentTo, setSentTo] = useState<string | null>(null);
  const signup = useAction(async () => {
    await call(
      publicApi.POST('/v1/auth/signup', {
        body: {
          organizationName: form.organizationName,
          email: form.email,
          password: form.password,
          locale,
          ...(form.name ? { name: form.name } : {}),
          ...(form.siteName ? { siteName: form.siteName } : {}),
          ...(template ? { catalogueTemplate: template } : {}),
        },
      }),
    );
    setSentTo(form.email);
  });
  const fields = signup.error?.fieldErrors() ?? {};
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));

  if (sentTo) {
    return (
      <div class="card auth-card" data-page="signup-sent">
        <h1>{t('signup.sentTitle')}</h1>
        <p role="status" data-testid="signup-sent">
          {t('signup.sent', { email: sentTo, organization: form.organizationName })}
        </p>
        <p>
          <Link href="/login">{t('signup.loginLink')}</Link>
        </p>
      </div>
    );
  }

  return (
    <div class="card auth-card wide">
      <h1>{t('signup.title')}</h1>
      <p class="muted">{t('signup.lead')}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void signup.run();
        }}
      >
        <div class="grid-2">
          <TextField
            label={t('signup.organizationName')}
            name="organizationName"
            required
            value={form.organizationName}
            onValue={set('organizationName')}
            error={fields.organizationName}
          />
          <TextField
            label={t('signup.siteName')}
            name="siteName"
            value={form.siteName}
            onValue={set('siteName')}
            error={fields.siteName}
            hint={t('signup.siteHint')}
          />
          <TextField
            label={t('signup.ownerName')}
            name="name"
            autoComplete="name"
            value={form.name}
            onValue={set('name')}
            error={fields.name}
          />
          <TextField
            label={t('signup.ownerEmail')}
            type="email"
            name="email"
            autoComplete="username"
            required
            value={form.email}
            onValue={set('email')}
            error={fields.email}
          />
          <TextField
            label={t('field.password')}
            type="password"
            name="password"
            autoComplete="new-password"
            required
            minLength={10}
            value={form.password}
            onValue={set('password')}
            error={fields.password}
            hint={t('signup.passwordHint')}
          />
        </div>

        <fieldset class="templates">
          <legend>{t('signup.template')}</legend>
          {templates.loading && <Loading />}
          <ErrorBox error={templates.error} />
          <label class="template-option">
            <input
              type="radio"
              name="catalogueTemplate"
              value=""
              checked={template === ''}
              onChange={() => setTemplate('')}
            />
            <span>
              <strong>{t('signup.noTemplate')}</strong>
              <small>{t('signup.noTemplateHint')}</small>
            </span>
          </label>
          {templates.data?.items.map((tp) => (
            <label class="template-option" key={tp.code}>
              <input
                type="radio"
                name="catalogueTemplate"
                value={tp.code}
                checked={template === tp.code}
                onChange={() => setTemplate(tp.code)}
              />
              <span>
                <strong>{pick(tp.name)}</strong>{' '}
                <span class="badge">{t('signup.itemCount', { n: tp.itemCount })}</span>
                <small>{pick(tp.description)}</small>
              </span>
            </label>
          ))}
        </fieldset>

        {template && (
          <section class="template-preview" aria-live="polite" aria-label={t('signup.preview')}>
            <h2>{t('signup.preview')}</h2>
            {preview.data && (
              <>
                <p class="chips">
                  {preview.data.categories.map((c) => (
                    <span class="chip" key={c.code}>
                      {pick(c)} · {c.itemCount}
                    </span>
                  ))}
                </p>
                <div class="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th>{t('item.code')}</th>
                        <th>{t('item.name')}</th>
                        <th>{t('item.specification')}</th>
                        <th>{t('item.units')}</th>
                        <th class="num">{t('item.unitCost')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {preview.data.items.map((it) => (
                        <tr key={it.code}>
                          <td>{it.code}</td>
                          <td>{pick(it.name)}</td>
                          <td>{it.specification}</td>
                          <td>
                            {[
                              `1 ${pick(it.baseUnit)}`,
                              ...it.packUnits.map((u) => `1 ${pick(u)} = ${u.factor} ${pick(it.baseUnit)}`),
                            ].join('；')}
                          </td>
                          <td class="num">{money(it.unitCost)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </>
            )}
            {preview.loading && <Loading />}
          </section>
        )}

        <ProblemBox error={signup.error} />
        <button type="submit" class="primary" disabled={signup.busy}>
          {signup.busy ? t('signup.creating') : t('signup.submit')}
        </button>
      </form>
      <p>
        {t('signup.haveAccount')} <Link href="/login">{t('signup.loginLink')}</Link>
      </p>
    </div>
  );
}
