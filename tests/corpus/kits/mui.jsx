// Material UI (@mui/material): credentials pages as MUI draws read-only fields, detail rows,
// tables, cards, code, dialogs, tabs, columns and lists.
import React from 'react';
import {
  Alert, AppBar, Box, Button, Card, CardContent, Dialog, DialogActions, DialogContent, DialogTitle, Divider, IconButton,
  Link, List, ListItem, ListItemText, Paper, Stack, Tab, Table, TableBody, TableCell, TableContainer, TableHead, TableRow,
  Tabs, TextField, Toolbar, Tooltip, Typography,
} from '@mui/material';
import { run } from '../runtime.mjs';
import { BULLETS, extrasOf, reactDraw } from './react.mjs';

const mono = { fontFamily: 'monospace' };

function Extras({ m, row }) {
  return extrasOf(m, row).map((text) =>
    text === 'Show' || text === 'Hide' ? (
      <Link key={text} href="#" underline="hover" sx={{ ml: 1 }}>
        {text}
      </Link>
    ) : (
      <Typography key={text} component="span" variant="body2" color="text.secondary" sx={{ ml: 1 }}>
        {text}
      </Typography>
    ),
  );
}

function Help({ m, row }) {
  if (row.field !== 'clientId' || !m.noise.has('help')) return null;
  return (
    <Tooltip open arrow placement="right" title={m.help}>
      <IconButton size="small" aria-label="About the Client ID">
        ⓘ
      </IconButton>
    </Tooltip>
  );
}

const shown = (row) => (row.masked ? BULLETS : row.value);

function Fields({ m }) {
  return (
    <Stack spacing={2} sx={{ maxWidth: 560 }}>
      {m.rows.map((row) => (
        <Stack key={row.field} direction="row" alignItems="center">
          <TextField
            fullWidth
            label={row.label}
            type={row.masked ? 'password' : 'text'}
            {...(m.fill ? { id: m.fillId(row.field) } : { value: row.value })}
            slotProps={{ input: { readOnly: true, sx: mono } }}
          />
          <Help m={m} row={row} />
          <Extras m={m} row={row} />
        </Stack>
      ))}
    </Stack>
  );
}

function Details({ m }) {
  return (
    <Stack spacing={1.5} divider={<Divider flexItem />}>
      {m.rows.map((row) => (
        <Box key={row.field}>
          <Typography variant="overline" color="text.secondary" component="div">
            {row.label}
            <Help m={m} row={row} />
          </Typography>
          <Typography variant="body1" sx={mono}>
            {shown(row)}
            <Extras m={m} row={row} />
          </Typography>
        </Box>
      ))}
    </Stack>
  );
}

function KeyTable({ m }) {
  return (
    <TableContainer component={Paper} variant="outlined">
      <Table size="small">
        <TableHead>
          <TableRow>
            <TableCell>Setting</TableCell>
            <TableCell>Value</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {m.rows.map((row) => (
            <TableRow key={row.field}>
              <TableCell component="th" scope="row">
                {row.label}
                <Help m={m} row={row} />
              </TableCell>
              <TableCell sx={mono}>
                {shown(row)}
                <Extras m={m} row={row} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

function Cards({ m }) {
  return (
    <Stack direction="row" spacing={2} flexWrap="wrap">
      {m.rows.map((row) => (
        <Card key={row.field} variant="outlined" sx={{ minWidth: 320 }}>
          <CardContent>
            <Typography variant="h6" sx={mono}>
              {shown(row)}
            </Typography>
            <Typography variant="caption" color="text.secondary">
              {row.label}
            </Typography>
            <Help m={m} row={row} />
            <Box>
              <Extras m={m} row={row} />
            </Box>
          </CardContent>
        </Card>
      ))}
    </Stack>
  );
}

function Code({ m }) {
  return (
    <Stack spacing={2}>
      {m.rows.map((row) => (
        <Box key={row.field}>
          <Typography variant="subtitle2">
            {row.label}
            <Help m={m} row={row} />
          </Typography>
          <Paper variant="outlined" sx={{ display: 'flex', alignItems: 'center', px: 1.5, py: 0.5 }}>
            <Box component="code" sx={{ ...mono, flex: 1 }}>
              {shown(row)}
            </Box>
            <Extras m={m} row={row} />
            <Button size="small">Copy</Button>
          </Paper>
        </Box>
      ))}
    </Stack>
  );
}

function Columns({ m }) {
  return (
    <Stack direction="row" spacing={6}>
      <Stack spacing={2}>
        {m.rows.map((row) => (
          <Typography key={row.field} color="text.secondary">
            {row.label}
            <Help m={m} row={row} />
          </Typography>
        ))}
      </Stack>
      <Stack spacing={2}>
        {m.rows.map((row) => (
          <Typography key={row.field} sx={mono}>
            {shown(row)}
            <Extras m={m} row={row} />
          </Typography>
        ))}
      </Stack>
    </Stack>
  );
}

function Items({ m }) {
  return (
    <List>
      {m.rows.map((row) => (
        <ListItem key={row.field} divider secondaryAction={<Button size="small">Copy</Button>}>
          <ListItemText primary={shown(row)} secondary={row.label} slotProps={{ primary: { sx: mono } }} />
          <Help m={m} row={row} />
        </ListItem>
      ))}
    </List>
  );
}

function Panel({ m }) {
  const inputs = m.spec.inputs;
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
      return inputs ? <Fields m={m} /> : <Details m={m} />;
  }
}

function Noise({ m }) {
  return (
    <Stack spacing={2} sx={{ mt: 3 }}>
      {m.noise.has('oauth') && <Alert severity="info">{m.oauth}</Alert>}
      {m.noise.has('regions') && (
        <Box>
          <Typography variant="subtitle2">Directory API URLs</Typography>
          <List dense>
            {m.regions.map((url) => (
              <ListItem key={url}>
                <ListItemText primary={url} />
              </ListItem>
            ))}
          </List>
          <Typography variant="body2">The Directory API limits how fast a client may send requests.</Typography>
        </Box>
      )}
      {m.noise.has('curl') && (
        <Box>
          <Typography variant="subtitle2">Example request</Typography>
          <Paper variant="outlined" component="pre" sx={{ ...mono, p: 1.5, m: 0, whiteSpace: 'pre-wrap' }}>
            {m.curl}
          </Paper>
        </Box>
      )}
      {m.noise.has('activity') && (
        <Box>
          <Typography variant="subtitle2">Recent API activity</Typography>
          <DataTable head={['Time', 'Client ID', 'Request', 'Status']} rows={m.activity} />
        </Box>
      )}
    </Stack>
  );
}

function Buttons({ m }) {
  return (
    <Stack direction="row" spacing={1} sx={{ mb: 2 }}>
      {m.masked && <Button variant="outlined">Show</Button>}
      {m.buttons.map((b) => (
        <Button key={b} variant={b === 'Save' || b === 'Edit' ? 'contained' : 'outlined'}>
          {b}
        </Button>
      ))}
    </Stack>
  );
}

function UsersPage({ m }) {
  return <DataTable head={['Name', 'Email', 'Status']} rows={m.users} />;
}

/** A table of rows of text under a header row. */
function DataTable({ head, rows }) {
  return (
    <Table size="small">
      <TableHead>
        <TableRow>
          {head.map((h) => (
            <TableCell key={h}>
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
      <AppBar position="static" color="default" elevation={0}>
        <Toolbar sx={{ gap: 2 }}>
          <Typography variant="h6" component="div">
            PingOne
          </Typography>
          {m.nav.map((n) => (
            <Link key={n} href="#" underline="none">
              {n}
            </Link>
          ))}
        </Toolbar>
      </AppBar>
      {m.noise.has('banner') && <Alert severity="warning">{m.banner}</Alert>}
      <Stack direction="row">
        <List sx={{ width: 220 }} component="nav" aria-label="Directory settings">
          {m.side.map((s) => (
            <ListItem key={s}>
              <ListItemText primary={s} />
            </ListItem>
          ))}
        </List>
        <Box sx={{ p: 3, flex: 1 }}>
          <Typography variant="h4" component="h1" gutterBottom>
            {title}
          </Typography>
          {children}
        </Box>
      </Stack>
    </Box>
  );
}

function App({ m }) {
  if (m.page === 'users') {
    return (
      <Shell m={m} title="Users">
        <UsersPage m={m} />
      </Shell>
    );
  }
  const content = (
    <>
      <Buttons m={m} />
      <Panel m={m} />
      <Noise m={m} />
    </>
  );
  switch (m.spec.pattern) {
    case 'modal':
      return (
        <Shell m={m} title="Users">
          <UsersPage m={m} />
          <Dialog open maxWidth="md" fullWidth aria-labelledby="creds-title">
            <DialogTitle id="creds-title">{m.heading}</DialogTitle>
            <DialogContent>{content}</DialogContent>
            <DialogActions>
              <Button>Close</Button>
            </DialogActions>
          </Dialog>
        </Shell>
      );
    case 'tabs':
      return (
        <Shell m={m} title="Directory Settings">
          <Tabs value={1} aria-label="Directory settings">
            <Tab label="Attributes" />
            <Tab label={m.heading} />
            <Tab label="Password Policy" />
          </Tabs>
          <Box role="tabpanel" sx={{ pt: 2 }}>
            {content}
          </Box>
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

run({ draw: reactDraw(App) });
