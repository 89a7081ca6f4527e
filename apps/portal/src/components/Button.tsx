import type { ButtonHTMLAttributes, MouseEvent, Ref } from 'react';
import './components.css';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: 'primary' | 'secondary' | 'danger' | 'link';
  /**
   * Work in progress: the button says so to assistive technology (`aria-busy`, `aria-disabled`)
   * and ignores clicks (a submit button submits nothing). It is not `disabled`: a disabled
   * button loses focus (Chromium moves it to the body), and the person would lose their place.
   */
  busy?: boolean;
  ref?: Ref<HTMLButtonElement>;
}

export function Button({ variant = 'primary', busy = false, disabled, className, type = 'button', onClick, children, ...rest }: ButtonProps) {
  const click = (event: MouseEvent<HTMLButtonElement>) => {
    if (busy) {
      // Also stops the form's submission, from a click or from Enter in one of its fields.
      event.preventDefault();
      return;
    }
    onClick?.(event);
  };
  return (
    <button
      {...rest}
      type={type}
      className={['btn', `btn-${variant}`, className].filter(Boolean).join(' ')}
      disabled={disabled}
      aria-disabled={busy && !disabled ? true : undefined}
      aria-busy={busy || undefined}
      onClick={click}
    >
      {children}
    </button>
  );
}
