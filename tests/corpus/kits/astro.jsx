// Ping Identity's own design system (@pingux/astro): credentials pages as Astro draws read-only
// fields, password fields, copyable text, tables, cards, code views, modals, tabs and columns.
import React, { useEffect } from 'react';
import {
  AstroProvider, Box, Button, Callout, Card, CodeView, CopyText, HelpHint, Link, Modal, OverlayProvider, PageHeader, PasswordField, Separator, Tab,
  Table, TableBody, TableCell, TableHead, TableRow, Tabs, Text, TextField,
} from '@pingux/astro';
import { run } from '../runtime.mjs';
import { BULLETS, extrasOf, reactDraw } from './react.mjs';

function Extras({ m, row }) {
  return extrasOf(m, row).map((text) =>
    text === 'Show' || text === 'Hide' ? (
      <Link key={text} href="#" sx={{ ml: 'sm' }}>
        {text}
      </Link>
    ) : (
      <Text key={text} variant="subtitle" sx={{ ml: 'sm' }}>
        {text}
      </Text>
    ),
  );
}

/** Astro's HelpHint opens on a press: the page presses it once drawn, as an admin would. */
function Help({ m, row }) {
  useEffect(() => {
    document.querySelector('[data-corpus-help] button')?.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    document.querySelector('[data-corpus-help] button')?.click();
  }, []);
  if (row.field !== 'clientId' || !m.noise.has('help')) return null;
  return (
    <Box data-corpus-help isRow>
      <HelpHint>{m.help}</HelpHint>
    </Box>
  );
}

const shown = (row) => (row.masked ? BULLETS : row.value);

function Fields({ m }) {
  return (
    <Box gap="md" sx={{ maxWidth: 560 }}>
      {m.rows.map((row) => {
        const value = m.fill ? { id: m.fillId(row.field) } : { value: row.value };
        const Field = row.masked ? PasswordField : TextField;
        return (
          <Box key={row.field} isRow alignItems="flex-end" gap="xs">
            <Box flexGrow={1}>
              <Field label={row.label} isReadOnly {...value} />
            </Box>
            <Help m={m} row={row} />
            <Extras m={m} row={row} />
          </Box>
        );
      })}
    </Box>
  );
}

function Details({ m }) {
  return (
    <Box gap="md">
      {m.rows.map((row) => (
        <Box key={row.field} gap="xs">
          <Box isRow alignItems="center">
            <Text variant="label">{row.label}</Text>
            <Help m={m} row={row} />
          </Box>
          <Box isRow alignItems="center">
            {row.masked ? <Text>{BULLETS}</Text> : <CopyText textToCopy={row.value}>
              <Text>{row.value}</Text>
            </CopyText>}
            <Extras m={m} row={row} />
          </Box>
        </Box>
      ))}
    </Box>
  );
}

function KeyTable({ m }) {
  return (
    <Table>
      <TableHead>
        <TableRow>
          <TableCell isHeading>Setting</TableCell>
          <TableCell isHeading>Value</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {m.rows.map((row) => (
          <TableRow key={row.field}>
            <TableCell>
              {row.label}
              <Help m={m} row={row} />
            </TableCell>
            <TableCell>
              {shown(row)}
              <Extras m={m} row={row} />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function Cards({ m }) {
  return (
    <Box isRow gap="md" sx={{ flexWrap: 'wrap' }}>
      {m.rows.map((row) => (
        <Card key={row.field} sx={{ minWidth: 320 }}>
          <Text variant="H3" sx={{ fontFamily: 'monospace' }}>
            {shown(row)}
          </Text>
          <Text variant="subtitle">{row.label}</Text>
          <Help m={m} row={row} />
          <Extras m={m} row={row} />
        </Card>
      ))}
    </Box>
  );
}

function Code({ m }) {
  return (
    <Box gap="md">
      {m.rows.map((row) => (
        <Box key={row.field} gap="xs">
          <Box isRow alignItems="center">
            <Text variant="label">{row.label}</Text>
            <Help m={m} row={row} />
          </Box>
          <CodeView language="bash" hasNoCopyButton={row.masked}>
            {shown(row)}
          </CodeView>
          <Extras m={m} row={row} />
        </Box>
      ))}
    </Box>
  );
}

function Columns({ m }) {
  return (
    <Box isRow gap="xl">
      <Box gap="md">
        {m.rows.map((row) => (
          <Box key={row.field} isRow alignItems="center">
            <Text variant="label">{row.label}</Text>
            <Help m={m} row={row} />
          </Box>
        ))}
      </Box>
      <Box gap="md">
        {m.rows.map((row) => (
          <Box key={row.field} isRow>
            <Text sx={{ fontFamily: 'monospace' }}>{shown(row)}</Text>
            <Extras m={m} row={row} />
          </Box>
        ))}
      </Box>
    </Box>
  );
}

function Items({ m }) {
  return (
    <Box as="ul" gap="sm" sx={{ listStyle: 'none', p: 0 }}>
      {m.rows.map((row) => (
        <Box as="li" key={row.field} gap="xs">
          <Box isRow alignItems="center" gap="md">
            <Box flexGrow={1}>
              <Text sx={{ fontFamily: 'monospace' }}>{shown(row)}</Text>
              <Text variant="subtitle">{row.label}</Text>
            </Box>
            <Help m={m} row={row} />
            <Button variant="inline">Copy</Button>
          </Box>
          <Separator />
        </Box>
      ))}
    </Box>
  );
}

function Panel({ m }) {
  switch (m.spec.pattern) {
    case 'fields':
      return <Fields m={m} />;
    case 'details':
      return <Details m={m} />;
    case 'table':
      return <KeyTable m={m} />;
    case 'cards':
      return <Cards m={m} />;
    case 'code':
      return <Code m={m} />;
    case 'columns':
      return <Columns m={m} />;
    case 'list':
      return <Items m={m} />;
    default:
      return m.spec.inputs ? <Fields m={m} /> : <Details m={m} />;
  }
}

function Noise({ m }) {
  return (
    <Box gap="md" mt="lg">
      {m.noise.has('oauth') && (
        <Callout status="default">
          <Text>{m.oauth}</Text>
        </Callout>
      )}
      {m.noise.has('regions') && (
        <Box gap="xs">
          <Text variant="H4">Directory API URLs</Text>
          {m.regions.map((url) => (
            <Text key={url}>{url}</Text>
          ))}
          <Text>The Directory API limits how fast a client may send requests.</Text>
        </Box>
      )}
      {m.noise.has('curl') && (
        <Box gap="xs">
          <Text variant="H4">Example request</Text>
          <CodeView language="bash">{m.curl}</CodeView>
        </Box>
      )}
      {m.noise.has('activity') && (
        <Box gap="xs">
          <Text variant="H4">Recent API activity</Text>
          <DataTable head={['Time', 'Client ID', 'Request', 'Status']} rows={m.activity} />
        </Box>
      )}
    </Box>
  );
}

function Buttons({ m }) {
  return (
    <Box isRow gap="sm" mb="md">
      {m.masked && <Button>Show</Button>}
      {m.buttons.map((b) => (
        <Button key={b} variant={b === 'Save' || b === 'Edit' ? 'primary' : 'default'}>
          {b}
        </Button>
      ))}
    </Box>
  );
}

function UsersPage({ m }) {
  return <DataTable head={['Name', 'Email', 'Status']} rows={m.users} />;
}

/** A table of rows of text under a header row. */
function DataTable({ head, rows }) {
  return (
    <Table>
      <TableHead>
        <TableRow>
          {head.map((h) => (
            <TableCell key={h} isHeading>
              {h}
            </TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map((cells) => (
          <TableRow key={cells.join()}>
            {cells.map((c, i) => (
              <TableCell key={i}>{c}</TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function Shell({ m, title, children }) {
  return (
    <Box>
      <Box isRow gap="lg" p="md" bg="accent.99" as="header">
        <Text variant="H3">PingOne</Text>
        {m.nav.map((n) => (
          <Link key={n} href="#">
            {n}
          </Link>
        ))}
      </Box>
      {m.noise.has('banner') && (
        <Callout status="warning">
          <Text>{m.banner}</Text>
        </Callout>
      )}
      <Box isRow>
        <Box as="nav" aria-label="Directory settings" gap="md" p="md" sx={{ width: 220 }}>
          {m.side.map((s) => (
            <Link key={s} href="#">
              {s}
            </Link>
          ))}
        </Box>
        <Box p="lg" flexGrow={1} gap="md">
          <PageHeader title={title} />
          {children}
        </Box>
      </Box>
    </Box>
  );
}

function Page({ m }) {
  if (m.page === 'users') {
    return (
      <Shell m={m} title="Users">
        <UsersPage m={m} />
      </Shell>
    );
  }
  const content = (
    <Box>
      <Buttons m={m} />
      <Panel m={m} />
      <Noise m={m} />
    </Box>
  );
  switch (m.spec.pattern) {
    case 'modal':
      return (
        <Shell m={m} title="Users">
          <UsersPage m={m} />
          <Modal isOpen title={m.heading} size="lg" hasCloseButton onClose={() => {}}>
            {content}
          </Modal>
        </Shell>
      );
    case 'tabs':
      return (
        <Shell m={m} title="Directory Settings">
          <Tabs defaultSelectedKey="credentials">
            <Tab key="attributes" title="Attributes">
              <Text>Attributes</Text>
            </Tab>
            <Tab key="credentials" title={m.heading}>
              {content}
            </Tab>
            <Tab key="policy" title="Password Policy">
              <Text>Password policy</Text>
            </Tab>
          </Tabs>
        </Shell>
      );
    default:
      return (
        <Shell m={m} title={m.heading}>
          {content}
        </Shell>
      );
  }
}

function App({ m }) {
  return (
    <AstroProvider>
      <OverlayProvider>
        <Page m={m} />
      </OverlayProvider>
    </AstroProvider>
  );
}

run({ draw: reactDraw(App) });
