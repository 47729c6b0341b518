import ky from 'ky';
import { atom } from 'nanostores';
import { render } from 'preact';

/**
 * "The floor" of the page benchmark: the widget's required libraries (preact, nanostores, ky) doing the least a
 * launcher does — fetch a configuration, keep it in a store, render one button in a shadow root. No widget is
 * lighter than this with the same libraries.
 */
const $label = atom('Contact us');
const host = document.createElement('floor-root');
document.body.append(host);
const root = host.attachShadow({ mode: 'open' });
const draw = () => render(<button type="button" class="launcher">{$label.get()}</button>, root);
$label.listen(draw);
draw();
const api = new URL((document.currentScript as HTMLScriptElement).src).origin;
void ky
  .get(`${api}/v1/widgets/acme/config`)
  .json<{ texts?: { en?: { launcher?: string } } }>()
  .then((config) => $label.set(config.texts?.en?.launcher ?? 'Contact us'));
