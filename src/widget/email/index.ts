/**
 * The e-mail form's chunk (#11): loaded when the visitor opens the form, or with the page when a message from an
 * earlier page still waits to be sent.
 */
export { EmailForm } from './email-form.tsx';
export { createEmail } from './email.ts';
