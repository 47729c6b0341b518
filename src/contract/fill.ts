/** Fills `{name}` marks: `fill('Reply to {email}', { email })`. */
export const fill = (text: string, values: Record<string, string | number>): string => text.replace(/\{(\w+)\}/g, (mark, name: string) => String(values[name] ?? mark));
