import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { announce, Announcer } from './Announcer';
import { Notice, useNoticeState } from './Notice';

const region = () => document.querySelector('[data-announcer]') as HTMLElement;

describe('Announcer', () => {
  it('is a polite live region that is on the page, empty, before anything is said', async () => {
    render(<Announcer />);
    expect(region().getAttribute('aria-live')).toBe('polite');
    expect(region().textContent).toBe('');
    act(() => announce('Saved.'));
    await waitFor(() => expect(region().textContent).toBe('Saved.'));
  });

  it('says the same message again (emptied in between, so it is a change)', async () => {
    render(<Announcer />);
    act(() => announce('Code sent.'));
    await waitFor(() => expect(region().textContent).toBe('Code sent.'));
    act(() => announce('Code sent.'));
    expect(region().textContent).toBe('');
    await waitFor(() => expect(region().textContent).toBe('Code sent.'));
  });

  it('says a message announced just before it mounted (a layout remounting at a step change)', async () => {
    announce('The code was sent.');
    render(<Announcer />);
    await waitFor(() => expect(region().textContent).toBe('The code was sent.'));
  });
});

describe('Notice', () => {
  function Page({ focus }: { focus: boolean }) {
    const { notice, show } = useNoticeState<string>();
    const [items, setItems] = useState(['MacBook']);
    return (
      <>
        {notice && (
          <Notice key={notice.id} focus={focus}>
            {notice.value} was removed.
          </Notice>
        )}
        {items.map((item) => (
          <button
            key={item}
            onClick={() => {
              show(item);
              setItems([]);
            }}
          >
            Remove {item}
          </button>
        ))}
        <Announcer />
      </>
    );
  }

  it('is said through the live region, and with `focus` takes focus when the control used is gone', async () => {
    render(<Page focus />);
    await userEvent.click(screen.getByRole('button', { name: 'Remove MacBook' }));
    const notice = screen.getByRole('status');
    expect(notice.textContent).toBe('MacBook was removed.');
    expect(notice.getAttribute('tabindex')).toBe('-1');
    expect(document.activeElement).toBe(notice);
    await waitFor(() => expect(region().textContent).toBe('MacBook was removed.'));
  });

  it('without `focus` leaves focus alone', async () => {
    render(<Page focus={false} />);
    await userEvent.click(screen.getByRole('button', { name: 'Remove MacBook' }));
    expect(document.activeElement).not.toBe(screen.getByRole('status'));
    await waitFor(() => expect(region().textContent).toBe('MacBook was removed.'));
  });
});
