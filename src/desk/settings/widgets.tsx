import { useStore } from '@nanostores/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { CHANNEL_TYPES } from '../../contract/config.ts';
import { DEFAULT_TEXTS } from '../../contract/texts.ts';
import { DeskApiError } from '../api.ts';
import { settingsApi, type Channel, type Widget } from './api.ts';
import { CheckField, LinesField, NumberField, PartError, SelectField, TextField } from './fields.tsx';
import { join, type Path } from './path.ts';
import { $draft, $issues, $saved, issuesOf, update, valueAt } from './store.ts';

/** The widgets: a list, and the editor of one — channels, look, behaviour, texts — beside a live preview. */

/** Every channel type the contract has, named as the widget names it (in English), the chat and phone made plain. */
export const CHANNEL_NAMES: Record<string, string> = Object.fromEntries(
  CHANNEL_TYPES.map((type) => [type, type === 'chaport' ? 'Online chat (Chaport)' : type === 'phone' ? 'Phone' : DEFAULT_TEXTS.en[type]]),
);

/**
 * A new channel of a type, with an id not yet used in the widget. A new Chaport channel starts as the others in the
 * settings are (app id, region, URLs, token variable): one company usually has one Chaport account.
 */
function newChannel(type: string, channels: Channel[], widgets: Widget[]): Channel {
  const base = type === 'chaport' ? 'chat' : type;
  let id = base;
  for (let n = 2; channels.some((channel) => channel.id === id); n++) id = `${base}-${n}`;
  const required: Record<string, Record<string, unknown>> = {
    chaport: { appId: '' },
    telegram: { username: '' },
    whatsapp: { phone: '' },
    viber: { phone: '' },
    vk: { group: '' },
    messenger: { page: '' },
    phone: { phone: '' },
    link: { url: '', label: { en: '' } },
  };
  if (type === 'chaport') {
    const existing = widgets.flatMap((widget) => widget.channels ?? []).find((channel) => channel.type === 'chaport');
    if (existing) {
      const { id: _id, label: _label, display: _display, ...account } = existing;
      return { ...account, id, type };
    }
  }
  return { id, type, ...required[type] };
}

export function WidgetList() {
  const draft = useStore($draft)!;
  return (
    <section aria-labelledby="widgets-title">
      <div class="section-head">
        <h2 id="widgets-title">Widgets</h2>
        <button
          type="button"
          class="primary"
          onClick={() => {
            const widgets = draft.widgets;
            let id = 'widget';
            for (let n = 2; widgets.some((widget) => widget.id === id); n++) id = `widget-${n}`;
            update('widgets', [...widgets, { id, allowedOrigins: [], channels: [{ id: 'mail', type: 'email' }] }]);
            location.hash = `#/settings/widget/${widgets.length}`;
          }}
        >
          New widget
        </button>
      </div>
      {draft.widgets.length === 0 ? (
        <p class="empty">No widgets yet. Make the first one: it takes a minute, and the page shows you how to embed it.</p>
      ) : (
        <ul class="cards">
          {draft.widgets.map((widget, index) => (
            <li key={index}>
              <a href={`#/settings/widget/${index}`} class="card-link">
                <b>{widget.id || '(no id yet)'}</b>
                <span class="muted small">{widget.channels.map((channel) => CHANNEL_NAMES[channel.type] ?? channel.type).join(' · ')}</span>
              </a>
            </li>
          ))}
        </ul>
      )}
      <PartError path="widgets" />
    </section>
  );
}

/** Label of a channel, per language: stored as text or `{"en", "ru"}`; edited as two fields. */
function LabelFields({ base, required }: { base: Path; required: boolean }) {
  useStore($draft);
  const path = join(base, 'label');
  const label = valueAt(path) as string | { en?: string; ru?: string } | undefined;
  const texts = typeof label === 'string' ? { en: label, ru: label } : (label ?? {});
  const issue = useStore($issues)[path];
  const set = (locale: 'en' | 'ru', text: string) => {
    const next = { ...texts, [locale]: text || undefined };
    const kept = Object.fromEntries(Object.entries(next).filter(([, value]) => value));
    update(path, Object.keys(kept).length ? kept : undefined);
  };
  return (
    <fieldset class="pair">
      <legend>Label{required ? '' : ' (optional: the default name is shown otherwise)'}</legend>
      {(['en', 'ru'] as const).map((locale) => (
        <div class="field" key={locale}>
          <label for={`${path}-${locale}`}>{locale === 'en' ? 'English' : 'Russian'}</label>
          <input id={`${path}-${locale}`} value={texts[locale] ?? ''} aria-invalid={issue ? 'true' : undefined} onInput={(event) => set(locale, event.currentTarget.value)} />
        </div>
      ))}
      {issue && <span class="field-error">{issue}</span>}
    </fieldset>
  );
}

function ChaportFields({ base }: { base: Path }) {
  const saved = useStore($saved);
  useStore($draft);
  const tokenEnv = (valueAt(join(base, 'apiTokenEnv')) as string | undefined) ?? 'CHAPORT_API_TOKEN';
  const tokenSet = saved?.secrets.find((secret) => secret.name === tokenEnv)?.set;
  return (
    <>
      <TextField path={join(base, 'appId')} label="Chaport app id" hint="24 characters, from Chaport: Settings → Installation code." required />
      <SelectField
        path={join(base, 'display')}
        label="When every operator is offline"
        options={[
          ['always', 'Always show the chat (Chaport takes offline messages)'],
          ['hideWhenOffline', 'Hide the chat'],
        ]}
        hint="Hiding needs the Chaport API token on the server, to see the operators' status."
      />
      <SelectField
        path={join(base, 'region')}
        label="Chaport region"
        options={[
          ['com', 'app.chaport.com'],
          ['ru', 'app.chaport.ru'],
        ]}
      />
      <TextField
        path={join(base, 'apiTokenEnv')}
        label="Environment variable with the API token"
        placeholder="CHAPORT_API_TOKEN"
        hint={tokenSet === undefined ? 'The token never leaves the server: it is read from this variable.' : tokenSet ? `${tokenEnv} is set on the server.` : `${tokenEnv} is not set on the server.`}
      />
      <details>
        <summary>Advanced</summary>
        <NumberField path={join(base, 'loadTimeoutSeconds')} label="Seconds to wait for Chaport to load" min={1} max={120} placeholder="15" />
        <TextField path={join(base, 'scriptUrl')} label="Chaport script URL" type="url" placeholder="https://app.chaport.com/javascripts/insert.js" />
        <TextField path={join(base, 'apiUrl')} label="Chaport API URL" type="url" placeholder="https://app.chaport.com/api/v1" />
      </details>
    </>
  );
}

function TypeFields({ base, type }: { base: Path; type: string }) {
  switch (type) {
    case 'chaport':
      return <ChaportFields base={base} />;
    case 'telegram':
      return <TextField path={join(base, 'username')} label="Telegram username" placeholder="acme_support" hint='Without "@".' required />;
    case 'whatsapp':
      return (
        <>
          <TextField path={join(base, 'phone')} label="WhatsApp number" type="tel" placeholder="+79990001122" required />
          <TextField path={join(base, 'text')} label="First message, filled in for the visitor" />
        </>
      );
    case 'viber':
      return (
        <>
          <TextField path={join(base, 'phone')} label="Viber number" type="tel" placeholder="+79990001122" hint="Or a public account's chat URI below." />
          <TextField path={join(base, 'chatUri')} label="Viber chat URI" />
        </>
      );
    case 'vk':
      return <TextField path={join(base, 'group')} label="VK community (screen name)" placeholder="acme" required />;
    case 'messenger':
      return <TextField path={join(base, 'page')} label="Facebook page (username)" placeholder="acme.support" required />;
    case 'email':
      return (
        <>
          <CheckField path={join(base, 'form')} label="A form in the widget" defaultValue hint="Messages come into the helpdesk as cases. Off: a mailto: link to the address below." />
          <TextField path={join(base, 'address')} label="E-mail address" type="email" placeholder="help@acme.example" />
        </>
      );
    case 'phone':
      return <TextField path={join(base, 'phone')} label="Phone number" type="tel" placeholder="+74950001122" required />;
    case 'link':
      return <TextField path={join(base, 'url')} label="Address" type="url" placeholder="https://acme.example/help" required />;
    default:
      return null;
  }
}

function ChannelEditor({ widgetPath, index, count }: { widgetPath: Path; index: number; count: number }) {
  const base = join(join(widgetPath, 'channels'), index);
  const channel = valueAt(base) as Channel;
  const channels = valueAt(join(widgetPath, 'channels')) as Channel[];
  const move = (to: number) => {
    const next = [...channels];
    next.splice(to, 0, ...next.splice(index, 1));
    update(join(widgetPath, 'channels'), next);
  };
  const name = `${CHANNEL_NAMES[channel.type] ?? channel.type} (${channel.id || 'no id'})`;
  return (
    <li class="channel-card">
      <div class="channel-head">
        <h3>
          {index + 1}. {CHANNEL_NAMES[channel.type] ?? channel.type}
        </h3>
        <div class="row-actions">
          <button type="button" class="secondary small-button" disabled={index === 0} aria-label={`Move ${name} up`} onClick={() => move(index - 1)}>
            ↑
          </button>
          <button type="button" class="secondary small-button" disabled={index === count - 1} aria-label={`Move ${name} down`} onClick={() => move(index + 1)}>
            ↓
          </button>
          <button type="button" class="secondary small-button" aria-label={`Remove ${name}`} onClick={() => update(join(widgetPath, 'channels'), channels.filter((_, at) => at !== index))}>
            Remove
          </button>
        </div>
      </div>
      <TextField path={join(base, 'id')} label="Channel id" hint="Used in the widget's API (openChannel) and events." required />
      <TypeFields base={base} type={channel.type} />
      <LabelFields base={base} required={channel.type === 'link'} />
    </li>
  );
}

const LANGUAGES = [
  ['en', 'English'],
  ['ru', 'Russian'],
] as const;

/** A choice of a few, all in view: radio buttons styled as one control (arrow keys move between them). */
function Segmented<T extends string>({ name, label, value, onChange, options }: { name: string; label: string; value: T; onChange: (value: T) => void; options: readonly (readonly [T, string])[] }) {
  return (
    <div role="radiogroup" aria-label={label} class="segmented">
      {options.map(([item, text]) => (
        <label key={item}>
          <input type="radio" name={name} checked={value === item} onChange={() => onChange(item)} />
          {text}
        </label>
      ))}
    </div>
  );
}

function Texts({ widgetPath }: { widgetPath: Path }) {
  const [locale, setLocale] = useState<'en' | 'ru'>('en');
  return (
    <details class="texts">
      <summary>Texts (every word the widget shows, in both languages)</summary>
      <Segmented name="texts-locale" label="Language of the texts" value={locale} onChange={setLocale} options={LANGUAGES} />
      <p class="muted small">Empty fields keep the default, shown in grey. {'{name}'} marks a value the widget fills in.</p>
      <div class="text-grid">
        {Object.entries(DEFAULT_TEXTS[locale]).map(([key, text]) => (
          <TextField key={`${locale}-${key}`} path={join(join(join(widgetPath, 'texts'), locale), key)} label={key} placeholder={text} />
        ))}
      </div>
    </details>
  );
}

/** The real widget bundle, rendering this widget as it is now in the form, in a frame of this server's own page. */
function Preview({ widgetPath, widget }: { widgetPath: Path; widget: Widget }) {
  const [id, setId] = useState<string | null>(null);
  const [nonce, setNonce] = useState(0);
  const [locale, setLocale] = useState<'en' | 'ru'>(widget.locale === 'ru' ? 'ru' : 'en');
  const [device, setDevice] = useState<'desktop' | 'phone'>('desktop');
  const [open, setOpen] = useState(true);
  const [problem, setProblem] = useState<string | null>(null);
  const latest = useRef(0);
  // A check that failed for want of an answer (not a refusal) is asked again, later each time: else its error never shows.
  const [retries, setRetries] = useState(0);
  const json = JSON.stringify(widget);
  useEffect(() => setRetries(0), [json]);
  useEffect(() => {
    const ticket = ++latest.current;
    const timer = setTimeout(async () => {
      try {
        const { id: previewId } = await settingsApi.preview(widget, id ?? undefined);
        if (ticket !== latest.current) return;
        setId(previewId);
        setNonce((n) => n + 1);
        setProblem(null);
        // Checked as you type: the widget's own problems clear as they are fixed.
        const issues = $issues.get();
        $issues.set(Object.fromEntries(Object.entries(issues).filter(([field]) => !field.startsWith(`${widgetPath}.`))));
      } catch (error) {
        if (ticket !== latest.current) return;
        // Unreachable, overloaded or failing (no verdict on the draft): ask again rather than show nothing.
        if (!(error instanceof DeskApiError) || error.status === 0 || error.status === 429 || error.status >= 500) return setRetries((count) => count + 1);
        const found = Object.fromEntries(Object.entries(issuesOf(error)).map(([field, message]) => [join(widgetPath, field), message]));
        $issues.set({ ...Object.fromEntries(Object.entries($issues.get()).filter(([field]) => !field.startsWith(`${widgetPath}.`))), ...found });
        setProblem(`The preview shows the last valid version: ${Object.keys(found).length} field${Object.keys(found).length > 1 ? 's' : ''} to fix.`);
      }
    }, 400 * 2 ** Math.min(retries, 5));
    return () => clearTimeout(timer);
  }, [json, retries]);
  return (
    <section class="live-preview" aria-labelledby="preview-title">
      <h3 id="preview-title">Live preview</h3>
      <div class="preview-controls">
        <Segmented name="preview-locale" label="Language" value={locale} onChange={setLocale} options={LANGUAGES} />
        <Segmented
          name="preview-device"
          label="Screen"
          value={device}
          onChange={setDevice}
          options={[
            ['desktop', 'Desktop'],
            ['phone', 'Phone'],
          ]}
        />
        <label class="check-inline">
          <input type="checkbox" checked={open} onChange={(event) => setOpen(event.currentTarget.checked)} /> Open
        </label>
      </div>
      {problem && <p class="note warn">{problem}</p>}
      {id ? (
        <ScaledFrame
          key={`${id}-${nonce}-${locale}-${device}-${open}`}
          device={device}
          title={`Preview of the widget on a ${device === 'phone' ? 'phone' : 'desktop'} screen`}
          src={`/settings/preview/${id}?lang=${locale}&open=${open ? 1 : 0}&v=${nonce}`}
        />
      ) : (
        <p class="muted">Preparing the preview…</p>
      )}
      <p class="muted small">Unsaved changes are shown here at once; visitors see them once saved.</p>
    </section>
  );
}

/** Screens the preview stands for, in CSS pixels: a small laptop window (wider than the widget's phone layout) and a phone. */
const SCREENS = { desktop: { width: 760, height: 720 }, phone: { width: 390, height: 720 } } as const;

/**
 * The preview page at the screen's real width, scaled down to fit the column: the widget lays itself out as it will
 * for visitors (its phone layout starts at 480 px), however narrow the settings page is.
 */
function ScaledFrame({ device, title, src }: { device: 'desktop' | 'phone'; title: string; src: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [scale, setScale] = useState(1);
  const screen = SCREENS[device];
  useEffect(() => {
    const element = box.current!;
    const fit = () => setScale(Math.min(1, element.clientWidth / screen.width));
    fit();
    const observer = new ResizeObserver(fit);
    observer.observe(element);
    return () => observer.disconnect();
  }, [device]);
  return (
    <div class={`frame ${device}`} ref={box} style={{ height: `${Math.round(screen.height * scale)}px` }}>
      <iframe title={title} src={src} style={{ width: `${screen.width}px`, height: `${screen.height}px`, transform: `scale(${scale})` }} />
    </div>
  );
}

function Embed({ widget }: { widget: Widget }) {
  const draft = useStore($draft)!;
  const base = ((draft.helpdesk as { publicUrl?: string } | undefined)?.publicUrl ?? location.origin).replace(/\/+$/, '');
  const snippets = [
    { title: 'Script tag', hint: 'Paste before </body> on every page of the site.', code: `<script async src="${base}/omniwidget.js" data-widget-id="${widget.id}"></script>` },
    { title: 'npm', hint: 'For an application with its own bundler: npm install omniwidget.', code: `import { createWidget } from 'omniwidget';\n\ncreateWidget({ widgetId: '${widget.id}', apiUrl: '${base}' });` },
  ];
  const [copied, setCopied] = useState<string | null>(null);
  return (
    <section aria-labelledby="embed-title" class="embed">
      <h3 id="embed-title">Embed it</h3>
      {snippets.map((snippet) => (
        <div key={snippet.title} class="snippet">
          <div class="snippet-head">
            <h4>{snippet.title}</h4>
            <button
              type="button"
              class="secondary small-button"
              onClick={async (event) => {
                try {
                  await navigator.clipboard.writeText(snippet.code);
                  setCopied(snippet.title);
                } catch {
                  // No clipboard (permission refused, an old browser): the code is selected, ready for Ctrl+C.
                  const code = event.currentTarget.closest('.snippet')!.querySelector('code')!;
                  getSelection()?.selectAllChildren(code);
                  setCopied(`!${snippet.title}`);
                }
              }}
            >
              {copied === snippet.title ? 'Copied' : `Copy ${snippet.title.toLowerCase()}`}
            </button>
          </div>
          <p class="muted small">{snippet.hint}</p>
          <pre>
            <code>{snippet.code}</code>
          </pre>
        </div>
      ))}
      <p class="muted small" role="status">
        {copied?.startsWith('!') ? `The browser did not let the page copy: the ${copied.slice(1).toLowerCase()} is selected, press Ctrl+C.` : copied ? `${copied} copied to the clipboard.` : ''}
      </p>
    </section>
  );
}

export function WidgetEditor({ index }: { index: number }) {
  const draft = useStore($draft)!;
  const widget = draft.widgets[index];
  const [adding, setAdding] = useState('telegram');
  if (!widget)
    return (
      <p>
        No such widget. <a href="#/settings">Back to the widgets</a>
      </p>
    );
  const path = `widgets[${index}]`;
  const channels = widget.channels ?? [];
  return (
    <div class="widget-editor">
      <div class="editor-form">
        <div class="section-head">
          <h2>Widget {widget.id || '(new)'}</h2>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              if (!confirm(`Delete the widget "${widget.id}"? Pages that embed it will show nothing once you save.`)) return;
              update('widgets', draft.widgets.filter((_, at) => at !== index));
              location.hash = '#/settings';
            }}
          >
            Delete widget
          </button>
        </div>
        <fieldset>
          <legend>Basics</legend>
          <TextField path={join(path, 'id')} label="Widget id" hint='In the embed code (data-widget-id). Letters, digits, "-" and "_".' required />
          <SelectField
            path={join(path, 'locale')}
            label="Language"
            empty="The page's language, else the visitor's"
            options={[
              ['en', 'English'],
              ['ru', 'Russian'],
            ]}
          />
          <LinesField path={join(path, 'allowedOrigins')} label="Sites allowed to embed it" hint="One origin per line, such as https://acme.example (or * for any)." placeholder="https://acme.example" />
        </fieldset>
        <fieldset>
          <legend>Look</legend>
          <ColourField path={join(path, 'theme.color')} />
          <SelectField
            path={join(path, 'theme.position')}
            label="Corner"
            options={[
              ['right', 'Bottom right'],
              ['left', 'Bottom left'],
            ]}
          />
        </fieldset>
        <fieldset>
          <legend>Behaviour</legend>
          <CheckField path={join(path, 'reopenOnReply')} label="Open the chat again when an agent replies after the visitor closed it" defaultValue />
          <NumberField path={join(path, 'presence.pollSeconds')} label="Check operators' presence every (seconds)" min={2} max={3600} placeholder="30" />
        </fieldset>
        <fieldset>
          <legend>Channels, in the order visitors see them</legend>
          <PartError path={join(path, 'channels')} />
          <ol class="channel-list">
            {channels.map((_, at) => (
              <ChannelEditor key={at} widgetPath={path} index={at} count={channels.length} />
            ))}
          </ol>
          <div class="add-channel">
            <label for="add-channel-type">Add a channel</label>
            <select id="add-channel-type" value={adding} onChange={(event) => setAdding(event.currentTarget.value)}>
              {Object.entries(CHANNEL_NAMES).map(([type, name]) => (
                <option key={type} value={type}>
                  {name}
                </option>
              ))}
            </select>
            <button type="button" class="secondary" onClick={() => update(join(path, 'channels'), [...channels, newChannel(adding, channels, draft.widgets)])}>
              Add
            </button>
          </div>
        </fieldset>
        <Texts widgetPath={path} />
        <Embed widget={widget} />
      </div>
      <Preview widgetPath={path} widget={widget} />
    </div>
  );
}

/** The accent colour: a picker and the same value as text, validated by the server like any field. */
function ColourField({ path }: { path: Path }) {
  useStore($draft);
  const value = (valueAt(path) as string | undefined) ?? '';
  return (
    <div class="colour">
      <input type="color" aria-label="Pick the accent colour" value={/^#[\da-f]{6}$/i.test(value) ? value : '#1f6feb'} onInput={(event) => update(path, event.currentTarget.value)} />
      <TextField path={path} label="Accent colour" placeholder="#1f6feb" hint="Buttons and the launcher; their text is black or white, whichever reads better." />
    </div>
  );
}
