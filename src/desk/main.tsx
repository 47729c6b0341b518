import { render } from 'preact';
import { api } from './api.ts';
import { $me } from './state.ts';
import { SignIn } from './sign-in.tsx';

/**
 * The agent desk. Signing in is all that loads first; the desk itself is its own chunk, fetched once someone is
 * signed in.
 */
const root = document.getElementById('desk')!;

async function showDesk(): Promise<void> {
  const { startDesk } = await import('./desk.tsx');
  await startDesk(root);
}

async function boot(): Promise<void> {
  let me = null;
  try {
    me = await api.session();
  } catch {
    /* unreachable: the sign-in form says so when it is used */
  }
  if (me) {
    $me.set(me);
    await showDesk();
  } else {
    root.replaceChildren();
    render(<SignIn onSignedIn={(signedIn) => ($me.set(signedIn), void showDesk())} />, root);
  }
}

void boot();
