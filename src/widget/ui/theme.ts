/** The widget's theme as CSS beside its stylesheets: colours (validated by the shared schema), corner, z-index. */
export function themeCss({ color, textColor = '#fff', position, zIndex }: { color: string; textColor?: string | undefined; position: 'left' | 'right'; zIndex: number }): string {
  const side = position === 'left' ? 'left' : 'right';
  return `.ow{--a:${color};--o:${textColor};--corner:${side}}.launcher,.panel{${side}:20px;z-index:${zIndex}}.badge{${side === 'left' ? 'right' : 'left'}:-4px}`;
}
