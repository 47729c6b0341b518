import { useState } from 'preact/hooks';
import { api, DeskApiError, type Me } from './api.ts';

export function SignIn({ onSignedIn }: { onSignedIn(me: Me): void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <main class="sign-in">
      <form
        aria-labelledby="sign-in-title"
        onSubmit={async (event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          setBusy(true);
          setError(null);
          try {
            onSignedIn(await api.signIn(String(form.get('email') ?? ''), String(form.get('password') ?? '')));
          } catch (failure) {
            setError(failure instanceof DeskApiError ? failure.message : 'Signing in failed.');
            setBusy(false);
          }
        }}
      >
        <h1 id="sign-in-title">Helpdesk</h1>
        <p class="muted">Sign in to answer chats and e-mails.</p>
        <label for="email">E-mail</label>
        <input id="email" name="email" type="email" autoComplete="username" required />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
