/** Signing a demo user in to the benchmark stack's web server, as a browser would. */
export const DEMO_PASSWORD = 'damson-demo'

/** The session cookie (`name=value`) for `email`; throws when sign-in does not answer 302. */
export async function signIn(webUrl: string, email: string): Promise<string> {
  const response = await fetch(`${webUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: webUrl },
    body: new URLSearchParams({ email, password: DEMO_PASSWORD, redirectTo: '' }),
  })
  const cookie = response.headers.getSetCookie().map((value) => value.split(';')[0]!).find((pair) => /=.+/.test(pair))
  if (response.status !== 302 || !cookie) throw new Error(`Signing in ${email} answered ${response.status}`)
  return cookie
}
