// A crude router: replaces the entire <body> (as Turbo Drive does) and pushes a new URL.
document.addEventListener('click', (event) => {
  const link = event.target.closest('a[data-spa]');
  if (!link) return;
  event.preventDefault();
  history.pushState({}, '', link.href);
  const body = document.createElement('body');
  const main = document.createElement('main');
  main.id = 'view';
  const title = document.createElement('h1');
  title.textContent = `SPA view: ${location.pathname}`;
  const back = document.createElement('p');
  back.innerHTML = '<a href="/spa/one" data-spa>SPA view one</a> · <a href="/spa/two" data-spa>SPA view two</a>';
  main.append(title, back);
  body.append(main);
  document.body = body;
});
