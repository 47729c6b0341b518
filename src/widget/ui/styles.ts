/**
 * The widget's only CSS, adopted by its shadow root as a constructable stylesheet: nothing reaches the host
 * page, no `<style>` or `style=""` is needed (so no `unsafe-inline` under CSP), and `:host { all: initial }`
 * stops the page's inherited styles at the boundary. Sizes are in px, never rem: a page's
 * `html { font-size: 62.5% }` must not shrink the widget.
 */
const base = `
:host{all:initial!important;direction:ltr!important;display:contents!important}
.ow{display:contents;font:14px/1.45 system-ui,sans-serif;color:#1f2328}
:where(.ow *){box-sizing:border-box;font:inherit;color:inherit;margin:0}
svg{width:24px;height:24px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round;flex:none}
button{cursor:pointer;border:0;background:none;padding:0}
:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.launcher,.panel{position:fixed;bottom:20px;box-shadow:0 6px 24px #0004}
.launcher,.icon,.mark{display:grid;place-items:center}
.launcher{width:60px;height:60px;border-radius:50%}
.launcher,.head,.primary,.t-chaport .mark{background:var(--a);color:var(--o)}
.badge{position:absolute;top:-4px;min-width:22px;padding:0 6px;border-radius:11px;background:#c62828;color:#fff;font:700 12px/22px system-ui}
.panel{bottom:92px;width:368px;max-width:calc(100vw - 40px);max-height:min(620px,100vh - 112px);display:flex;flex-direction:column;background:#fff;border-radius:14px;overflow:hidden}
.head{display:flex;align-items:center;gap:8px;padding:12px 12px 12px 18px}
.head :focus-visible{outline-color:var(--o)}
h2{flex:1;font-size:16px;font-weight:600}
.icon{width:40px;height:40px;border-radius:8px}
.body{overflow:auto;padding:12px}
ul{list-style:none;padding:0;display:grid;gap:6px}
.channel{display:flex;align-items:center;gap:12px;width:100%;min-height:52px;padding:8px 12px;border:1px solid #d0d7de;border-radius:10px;text-decoration:none;font-size:15px;font-weight:500}
.icon:hover,.channel:hover{background:#8882}
.mark{width:36px;height:36px;border-radius:50%;color:#fff;background:#57606a}
.mark svg{width:20px;height:20px}
.t-telegram .mark{background:#1c8ac0}.t-whatsapp .mark{background:#128c7e}.t-viber .mark{background:#665cac}.t-vk .mark{background:#0067d9}.t-messenger .mark{background:#0866ff}.t-phone .mark{background:#2e7d32}
p{margin:4px 2px 12px}
.alert{padding:10px 12px;border-radius:8px;background:#fff4e5;border:1px solid #b35900}
.spinner{width:28px;height:28px;margin:16px auto;border:3px solid #d0d7de;border-top-color:var(--a);border-radius:50%;animation:spin 1s linear infinite}
@keyframes spin{to{transform:rotate(1turn)}}
form{display:grid;gap:4px}
label{font-weight:600;margin-top:8px}
input,textarea{width:100%;padding:10px 12px;border:1px solid #6e7781;border-radius:8px;background:#fff;font-size:16px}
[aria-invalid=true]{border-color:#c62828;box-shadow:0 0 0 1px #c62828}
.error{margin:0;color:#b3261e;font-size:13px}
.primary,.secondary{margin-top:12px;min-height:44px;padding:10px 16px;border-radius:8px;font-weight:600}
.secondary{border:1px solid #6e7781}
@media (max-width:480px){.ow .panel{inset:0;width:auto;max-width:none;max-height:none;border-radius:0}.open .launcher{display:none}}
@media (prefers-reduced-motion:reduce){.spinner{animation:none}}
`;

/** The stylesheet for one widget: the base plus its theme. Colours come validated by the shared schema. */
export function widgetCss({ color, textColor = '#fff', position, zIndex }: { color: string; textColor?: string | undefined; position: 'left' | 'right'; zIndex: number }): string {
  const side = position === 'left' ? 'left' : 'right';
  return `${base}
.ow{--a:${color};--o:${textColor}}
.launcher,.panel{${side}:20px;z-index:${zIndex}}
.badge{${side === 'left' ? 'right' : 'left'}:-4px}`;
}
