/*
 * The few browser globals the functions handed to page.evaluate use. This project compiles
 * against Node's types (adding the DOM library would change the types of the shared libraries it
 * imports); these functions run in the page, where the real globals exist.
 */
interface PageElement {
  tagName: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
}

declare const document: { activeElement: PageElement | null };
declare const window: { axe: unknown; PublicKeyCredential?: { isConditionalMediationAvailable?: () => Promise<boolean> } };
