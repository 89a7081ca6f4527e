import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { Button } from './Button';

describe('Button', () => {
  it('while busy stays focusable (aria-disabled, not disabled: a disabled button drops focus to the body) and ignores clicks', async () => {
    const clicked = jest.fn();
    function Saving() {
      const [busy, setBusy] = useState(false);
      return (
        <Button
          busy={busy}
          onClick={() => {
            clicked();
            setBusy(true);
          }}
        >
          Save
        </Button>
      );
    }
    render(<Saving />);
    const button = screen.getByRole('button', { name: 'Save' });
    await userEvent.click(button);
    expect(button.hasAttribute('disabled')).toBe(false);
    expect(button.getAttribute('aria-disabled')).toBe('true');
    expect(button.getAttribute('aria-busy')).toBe('true');
    expect(document.activeElement).toBe(button);
    await userEvent.click(button);
    await userEvent.keyboard('{Enter}');
    expect(clicked).toHaveBeenCalledTimes(1);
  });

  it('while busy submits no form, from a click or from Enter in a field', async () => {
    const submitted = jest.fn((e: { preventDefault(): void }) => e.preventDefault());
    render(
      <form onSubmit={submitted}>
        <label>
          Name <input name="name" />
        </label>
        <Button type="submit" busy>
          Send
        </Button>
      </form>,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    await userEvent.type(screen.getByLabelText('Name'), 'Ada{Enter}');
    expect(submitted).not.toHaveBeenCalled();
  });

  it('keeps a real disabled state when asked for one', async () => {
    const clicked = jest.fn();
    render(
      <Button disabled onClick={clicked}>
        Save
      </Button>,
    );
    const button = screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(button.getAttribute('aria-disabled')).toBeNull();
    await userEvent.click(button);
    expect(clicked).not.toHaveBeenCalled();
  });

  it('is a plain button when idle', async () => {
    const clicked = jest.fn();
    render(<Button onClick={clicked}>Save</Button>);
    const button = screen.getByRole('button', { name: 'Save' });
    expect(button.getAttribute('type')).toBe('button');
    expect(button.getAttribute('aria-disabled')).toBeNull();
    expect(button.getAttribute('aria-busy')).toBeNull();
    await userEvent.click(button);
    expect(clicked).toHaveBeenCalledTimes(1);
  });
});
