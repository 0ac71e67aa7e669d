import { expect } from 'vitest';
import type { SmtpCapture } from './smtp-capture.ts';
import { bearer, PASSWORD, type TestApp, uniqueEmail } from './test-app.ts';

/** The token of the latest invitation link mailed to `email` (as the invitee would click it). */
export async function invitationTokenFor(mail: SmtpCapture, email: string, n = 1): Promise<string> {
  const message = await mail.waitFor(email, (m) => m.links.some((l) => l.includes('/accept-invitation?')), n);
  const link = message.links.find((l) => l.includes('/accept-invitation?'))!;
  return new URL(link).searchParams.get('token')!;
}

export interface AddedMember {
  id: string;
  email: string;
  accessToken: string;
  headers: { authorization: string };
}

/**
 * Adds a member the only way there is: an admin invites, the invitee reads the e-mail from the
 * test's SMTP server and accepts it with a password of their own.
 */
export async function addMember(
  t: Pick<TestApp, 'app' | 'mail'>,
  adminHeaders: Record<string, string>,
  role: string,
  siteIds: string[] | null = null,
  email = uniqueEmail(role),
  password = PASSWORD,
): Promise<AddedMember> {
  const invite = await t.app.inject({
    method: 'POST',
    url: '/v1/invitations',
    headers: adminHeaders,
    payload: { email, role, siteIds },
  });
  expect(invite.statusCode, invite.body).toBe(201);
  const token = await invitationTokenFor(t.mail, email);
  const accept = await t.app.inject({
    method: 'POST',
    url: '/v1/invitations/accept',
    payload: { token, password },
  });
  expect(accept.statusCode, accept.body).toBe(200);
  const body = accept.json();
  return { id: body.userId, email, accessToken: body.accessToken, headers: bearer(body.accessToken) };
}
