import { stateTone } from '@emkit/shared';
import { caretDownIcon, caretRightIcon, type LabIcon } from '@jupyterlab/ui-components';
import { type ReactNode, useState } from 'react';

/** A state as the guide names it, coloured by what it means (shared/presentation.ts). */
export function Badge({ state, title }: { state: string; title?: string }) {
  return (
    <span className={`emkit-Badge emkit-Badge-${stateTone(state)}`} title={title ?? state}>
      {state}
    </span>
  );
}

export function IconButton({ icon, label, onClick }: { icon: LabIcon; label: string; onClick: () => void }) {
  return (
    <button type="button" className="emkit-IconButton" title={label} aria-label={label} onClick={onClick}>
      <icon.react tag="span" elementSize="normal" />
    </button>
  );
}

/** A collapsible sidebar section with its item count; `name` is the resource it lists, `actions` buttons beside its title. */
export function Section({
  name,
  title,
  count,
  empty,
  actions,
  children,
}: {
  name: string;
  title: string;
  count: number;
  empty: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  const [open, setOpen] = useState(true);
  const Caret = open ? caretDownIcon : caretRightIcon;
  const header = (
    <button type="button" className="emkit-Section-header" aria-expanded={open} onClick={() => setOpen(!open)}>
      <Caret.react tag="span" elementSize="normal" />
      <span className="emkit-Section-title">{title}</span>
      <span className="emkit-Section-count">{count}</span>
    </button>
  );
  return (
    <section className="emkit-Section" data-emkit-section={name}>
      {actions ? (
        // a button can't hold buttons: the actions sit beside the header
        <div className="emkit-Section-bar">
          {header}
          <span className="emkit-Section-actions">{actions}</span>
        </div>
      ) : (
        header
      )}
      {open && (count === 0 ? <p className="emkit-Section-empty">{empty}</p> : <ul className="emkit-List">{children}</ul>)}
    </section>
  );
}

/** One resource row: name, badge, detail, then its actions. */
export function Row({
  kind,
  name,
  state,
  detail,
  actions,
  children,
  onOpen,
}: {
  kind: string;
  name: string;
  onOpen?: () => void;
  state?: string;
  detail?: ReactNode;
  actions?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <li className="emkit-Item" data-emkit-kind={kind} data-emkit-name={name}>
      <div className="emkit-Row">
        <RowName name={name} onOpen={onOpen} />
        {state && <Badge state={state} />}
        {detail !== undefined && <span className="emkit-Row-detail">{detail}</span>}
        <span className="emkit-Row-actions">{actions}</span>
      </div>
      {children}
    </li>
  );
}

/** A row's name; a button that opens the resource's view when it has one. */
export function RowName({ name, onOpen }: { name: string; onOpen?: () => void }) {
  if (!onOpen)
    return (
      <span className="emkit-Row-name" title={name}>
        {name}
      </span>
    );
  return (
    <button type="button" className="emkit-Row-name emkit-Row-open" title={name} onClick={onOpen}>
      {name}
    </button>
  );
}
