import { useState } from 'preact/hooks';
import { Link, useLocation } from 'wouter-preact';
import { type ApiError, api, call, publicApi } from '../api/client';
import { signedIn, signOut, useSession } from '../api/session';
import { Loading, TextField } from '../components/ui';
import { type MessageKey, useI18n } from '../i18n/i18n';
import { ProblemBox } from '../lib/problem-text';
import { useQueryParam } from '../lib/query-string';
import { useAction, useApi } from '../lib/use-api';

/** Why a link cannot be used, in the invitee's words (the API's stable codes). */
const LINK_PROBLEMS: Record<string, MessageKey> = {
  invitation_not_found: 'accept.invalid',
  invitation_used: 'accept.used',
  invitation_expired: 'accept.expired',
  invitation_revoked: 'accept.revoked',
};
const ACCEPT_PROBLEMS: Record<string, MessageKey> = {
  ...LINK_PROBLEMS,
  invalid_credentials: 'accept.wrongPassword',
  password_too_weak: 'accept.tooWeak',
};

function Problem({ error, known }: { error: ApiError | undefined; known: Record<string, MessageKey> }) {
  const { t, locale } = useI18n();
  const key = error?.problem.code ? known[error.problem.code] : undefined;
  if (!key) return <ProblemBox error={error} />;
  return (
    <div class="error-box" role="alert" data-code={error?.problem.code}>
      <strong>{t(key)}</strong>
      {/* The estimator's own advice exists in English only. */}
      {locale === 'en' && error?.problem.code === 'password_too_weak' && error.problem.errors?.[0] && (
        <div>{error.problem.errors[0].message}</div>
      )}
    </div>
  );
}

/**
 * The page an invitation e-mail links to. A new address chooses its own password; an address
 * with an account signs in with its password (or accepts as the account already signed in).
 */
export default function AcceptInvitationPage() {
  const { t } = useI18n();
  const token = useQueryParam('token');
  const session = useSession();
  const [, navigate] = useLocation();
  const preview = useApi(() => call(publicApi.POST('/v1/invitations/preview', { body: { token } })), [token]);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const accept = useAction(async (asSignedIn: boolean) => {
    const r = asSignedIn
      ? await call(api.POST('/v1/invitations/accept', { body: { token } }))
      : await call(
          publicApi.POST('/v1/invitations/accept', {
            body: { token, password, ...(name.trim() ? { name: name.trim() } : {}) },
          }),
        );
    await signedIn(r.accessToken);
    navigate('/', { replace: true });
  });

  const inv = preview.data;
  const me = session.me;
  const signedInAsInvitee = !!(inv && me?.email && me.email.toLowerCase() === inv.email.toLowerCase());
  const lead = inv
    ? t(inv.invitedBy ? 'accept.lead' : 'accept.leadNoInviter', {
        inviter: inv.invitedBy ?? '',
        organization: inv.organizationName,
        role: t(`role.${inv.role}` as MessageKey),
      })
    : '';
  return (
    <div class="card auth-card" data-page="accept-invitation">
      <h1>{t('accept.title')}</h1>
      {preview.loading && !inv && !preview.error && <Loading />}
      {preview.error && (
        <>
          <Problem error={preview.error} known={LINK_PROBLEMS} />
          {!me && (
            <p>
              <Link href="/login">{t('accept.loginLink')}</Link>
            </p>
          )}
        </>
      )}
      {inv && (
        <>
          <p data-testid="invitation-lead">{lead}</p>
          <p class="muted">{t('accept.email', { email: inv.email })}</p>
          {me && signedInAsInvitee && (
            <>
              <p>{t('accept.signedInAs', { email: me.email ?? '' })}</p>
              <Problem error={accept.error} known={ACCEPT_PROBLEMS} />
              <button
                type="button"
                class="primary"
                disabled={accept.busy}
                onClick={() => void accept.run(true)}
              >
                {t('accept.asCurrent')}
              </button>
            </>
          )}
          {me && !signedInAsInvitee && (
            <>
              <p role="alert">{t('accept.otherAccount', { email: inv.email })}</p>
              <button type="button" onClick={() => void signOut()}>
                {t('header.signOut')}
              </button>
            </>
          )}
          {!me && (
            <form
              data-testid="accept-form"
              onSubmit={(e) => {
                e.preventDefault();
                void accept.run(false);
              }}
            >
              <p>{t(inv.accountExists ? 'accept.existingAccount' : 'accept.newAccount')}</p>
              {/* The address is fixed by the invitation; shown so password managers file it right. */}
              <input type="hidden" name="username" autoComplete="username" value={inv.email} />
              {!inv.accountExists && (
                <TextField
                  label={t('users.name')}
                  name="name"
                  autoComplete="name"
                  value={name}
                  onValue={setName}
                />
              )}
              <TextField
                label={t(inv.accountExists ? 'field.password' : 'accept.newPassword')}
                type="password"
                name="password"
                autoComplete={inv.accountExists ? 'current-password' : 'new-password'}
                required
                minLength={inv.accountExists ? 1 : 10}
                value={password}
                onValue={setPassword}
                hint={inv.accountExists ? undefined : t('accept.passwordHint')}
              />
              <Problem error={accept.error} known={ACCEPT_PROBLEMS} />
              <button type="submit" class="primary" disabled={accept.busy}>
                {t('accept.submit')}
              </button>
            </form>
          )}
        </>
      )}
    </div>
  );
}
