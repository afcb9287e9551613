/**
 * Light or dark: the system's preference (`prefers-color-scheme`) unless the reader chose one
 * with the toggle, remembered in localStorage. The choice sits on `<html data-theme>`.
 */
const key = 'webraft-playground-theme';
const choices = ['auto', 'light', 'dark'] as const;
type Choice = (typeof choices)[number];

function stored(): Choice {
  try {
    const value = localStorage.getItem(key);
    return (choices as readonly string[]).includes(value ?? '') ? (value as Choice) : 'auto';
  } catch {
    return 'auto';
  }
}

function apply(choice: Choice, button: HTMLButtonElement | null): void {
  if (choice === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
  if (button !== null) {
    button.textContent = `Theme: ${choice}`;
    button.setAttribute('aria-label', `Colour theme: ${choice === 'auto' ? 'as the system' : choice}. Change`);
  }
}

/** Applies the stored choice and makes `button` cycle through auto, light and dark. */
export function setUpTheme(button: HTMLButtonElement | null): void {
  let choice = stored();
  apply(choice, button);
  button?.addEventListener('click', () => {
    choice = choices[(choices.indexOf(choice) + 1) % choices.length]!;
    try {
      localStorage.setItem(key, choice);
    } catch {
      // Storage may be off (a private window); the choice then lasts for this page only.
    }
    apply(choice, button);
  });
}
