// The optional pre-load stub (SPEC.md): calls made before omniwidget.js has loaded are queued and replayed in order.
window.omniwidget = window.omniwidget || function () { (omniwidget.q = omniwidget.q || []).push(arguments); };
