// The sign-in screen: sign in, create an account, or join as a guest when the server allows it.
import { post } from './api.js';
import { showText } from './dom.js';

const MODES = {
  signin: { title: 'Welcome back', subtitle: 'Sign in to pick up where you left off.', submit: 'Sign in', password: 'current-password' },
  register: { title: 'Create your account', subtitle: 'Choose a username and a password of at least 8 characters.', submit: 'Create account', password: 'new-password' }
};

export class AuthView {
  /** ui: ids from index.html; signedIn(username) starts the chat */
  constructor(ui, signedIn) {
    this.ui = ui;
    this.signedIn = signedIn;
    this.mode = 'signin';
    ui.tabSignin.addEventListener('click', () => this.setMode('signin'));
    ui.tabRegister.addEventListener('click', () => this.setMode('register'));
    ui.authForm.addEventListener('submit', (e) => { e.preventDefault(); this.submit(); });
    ui.guestForm.addEventListener('submit', (e) => { e.preventDefault(); this.joinAsGuest(); });
  }

  show(message) {
    this.ui.authView.hidden = false;
    this.ui.password.value = '';
    showText(this.ui.authError, message);
    this.probeGuests();
    this.ui.username.focus();
  }

  hide() {
    this.ui.authView.hidden = true;
  }

  setMode(mode) {
    this.mode = mode;
    const m = MODES[mode];
    this.ui.authTitle.textContent = m.title;
    this.ui.authSubtitle.textContent = m.subtitle;
    this.ui.authSubmit.textContent = m.submit;
    this.ui.password.autocomplete = m.password;
    this.ui.tabSignin.setAttribute('aria-pressed', String(mode === 'signin'));
    this.ui.tabRegister.setAttribute('aria-pressed', String(mode === 'register'));
    showText(this.ui.authError, '');
  }

  /** POST /api/guest without a name: 403 when guests are off, 422 (no name) when they are on; nothing is created. */
  async probeGuests() {
    let allowed;
    try {
      await post('/api/guest', {});
      allowed = true;
    } catch (e) {
      allowed = e.status !== 403;
    }
    this.ui.guestBox.hidden = !allowed;
    this.ui.authView.dataset.guests = allowed ? 'on' : 'off';
  }

  async submit() {
    if (!this.ui.authForm.reportValidity()) return;
    const credentials = { username: this.ui.username.value.trim(), password: this.ui.password.value };
    this.busy(true);
    showText(this.ui.authError, '');
    let registered = false;
    try {
      if (this.mode === 'register') {
        await post('/api/register', credentials);
        registered = true;
      }
      const session = await post('/api/login', credentials);
      this.signedIn(session.username);
    } catch (e) {
      const text = e.status === 401 ? 'Wrong username or password.'
        : e.status === 409 ? 'That username is taken. Pick another, or sign in if it is yours.' : e.message;
      showText(this.ui.authError, registered ? 'Your account was created, but signing in failed: ' + text : text);
    } finally {
      this.busy(false);
    }
  }

  async joinAsGuest() {
    if (!this.ui.guestForm.reportValidity()) return;
    this.busy(true);
    showText(this.ui.guestError, '');
    try {
      const session = await post('/api/guest', { username: this.ui.guestName.value.trim() });
      this.signedIn(session.username);
    } catch (e) {
      if (e.status === 403) {
        this.ui.guestBox.hidden = true;
        this.ui.authView.dataset.guests = 'off';
        showText(this.ui.authError, 'Guest access is turned off on this server. Create an account instead.');
      } else {
        showText(this.ui.guestError, e.status === 409 ? 'That name is taken. Try another one.' : e.message);
      }
    } finally {
      this.busy(false);
    }
  }

  busy(on) {
    for (const button of [this.ui.authSubmit, this.ui.guestSubmit]) button.disabled = on;
  }
}
