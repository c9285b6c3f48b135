// Ant Design (antd): credentials pages as antd draws read-only form items, Descriptions, tables,
// cards, copyable code, modals, tabs, grid columns and List items.
import React from 'react';
import { Alert, Button, Card, Col, Descriptions, Form, Input, Layout, List, Menu, Modal, Popover, Row, Space, Table, Tabs, Typography } from 'antd';
import { run } from '../runtime.mjs';
import { BULLETS, extrasOf, reactDraw } from './react.mjs';

const { Text, Title, Paragraph } = Typography;

function Extras({ m, row }) {
  return extrasOf(m, row).map((text) =>
    text === 'Show' || text === 'Hide' ? (
      <Typography.Link key={text} style={{ marginLeft: 8 }}>
        {text}
      </Typography.Link>
    ) : (
      <Text key={text} type="secondary" style={{ marginLeft: 8 }}>
        {text}
      </Text>
    ),
  );
}

function Help({ m, row }) {
  if (row.field !== 'clientId' || !m.noise.has('help')) return null;
  return (
    <Popover open title="Client ID" content={m.help} placement="right">
      <Button type="link" size="small" aria-label="About the Client ID">
        ?
      </Button>
    </Popover>
  );
}

const shown = (row) => (row.masked ? BULLETS : row.value);

function Fields({ m }) {
  return (
    <Form layout="vertical" style={{ maxWidth: 560 }}>
      {m.rows.map((row) => {
        const value = m.fill ? { id: m.fillId(row.field) } : { value: row.value };
        return (
          <Form.Item
            key={row.field}
            label={
              <>
                {row.label}
                <Help m={m} row={row} />
              </>
            }
            htmlFor={m.fill ? m.fillId(row.field) : undefined}
          >
            <Space.Compact style={{ width: '100%' }}>
              {row.masked ? <Input.Password readOnly {...value} /> : <Input readOnly {...value} />}
              <Button>Copy</Button>
            </Space.Compact>
            <Extras m={m} row={row} />
          </Form.Item>
        );
      })}
    </Form>
  );
}

function Details({ m }) {
  return (
    <Descriptions
      bordered
      column={1}
      items={m.rows.map((row) => ({
        key: row.field,
        label: (
          <>
            {row.label}
            <Help m={m} row={row} />
          </>
        ),
        children: (
          <>
            <Text copyable={!row.masked}>{shown(row)}</Text>
            <Extras m={m} row={row} />
          </>
        ),
      }))}
    />
  );
}

function KeyTable({ m }) {
  return (
    <Table
      pagination={false}
      size="small"
      rowKey="field"
      dataSource={m.rows}
      columns={[
        {
          title: 'Setting',
          key: 'label',
          render: (_, row) => (
            <>
              {row.label}
              <Help m={m} row={row} />
            </>
          ),
        },
        {
          title: 'Value',
          key: 'value',
          render: (_, row) => (
            <>
              <Text code>{shown(row)}</Text>
              <Extras m={m} row={row} />
            </>
          ),
        },
      ]}
    />
  );
}

function Cards({ m }) {
  return (
    <Row gutter={16}>
      {m.rows.map((row) => (
        <Col key={row.field} span={12}>
          <Card size="small">
            <Title level={5} style={{ fontFamily: 'monospace', margin: 0 }}>
              {shown(row)}
            </Title>
            <Text type="secondary">{row.label}</Text>
            <Help m={m} row={row} />
            <div>
              <Extras m={m} row={row} />
            </div>
          </Card>
        </Col>
      ))}
    </Row>
  );
}

function Code({ m }) {
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {m.rows.map((row) => (
        <div key={row.field}>
          <Text strong>{row.label}</Text>
          <Help m={m} row={row} />
          <Paragraph copyable={!row.masked} style={{ margin: 0 }}>
            <Text code>{shown(row)}</Text>
            <Extras m={m} row={row} />
          </Paragraph>
        </div>
      ))}
    </Space>
  );
}

function Columns({ m }) {
  return (
    <Row gutter={48}>
      <Col>
        {m.rows.map((row) => (
          <Paragraph key={row.field} type="secondary">
            {row.label}
            <Help m={m} row={row} />
          </Paragraph>
        ))}
      </Col>
      <Col>
        {m.rows.map((row) => (
          <Paragraph key={row.field} style={{ fontFamily: 'monospace' }}>
            {shown(row)}
            <Extras m={m} row={row} />
          </Paragraph>
        ))}
      </Col>
    </Row>
  );
}

function Items({ m }) {
  return (
    <List
      itemLayout="horizontal"
      dataSource={m.rows}
      renderItem={(row) => (
        <List.Item actions={[<Button key="copy" size="small">Copy</Button>]}>
          <List.Item.Meta title={<span style={{ fontFamily: 'monospace' }}>{shown(row)}</span>} description={row.label} />
          <Help m={m} row={row} />
        </List.Item>
      )}
    />
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
    <Space direction="vertical" style={{ width: '100%', marginTop: 24 }}>
      {m.noise.has('oauth') && <Alert type="info" showIcon message={m.oauth} />}
      {m.noise.has('regions') && (
        <Card size="small" title="Directory API URLs">
          <List size="small" dataSource={m.regions} renderItem={(url) => <List.Item>{url}</List.Item>} />
          <Paragraph>The Directory API limits how fast a client may send requests.</Paragraph>
        </Card>
      )}
      {m.noise.has('curl') && (
        <Card size="small" title="Example request">
          <pre style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{m.curl}</pre>
        </Card>
      )}
      {m.noise.has('activity') && (
        <Card size="small" title="Recent API activity">
          <Table
            size="small"
            pagination={false}
            rowKey={(r) => r[0]}
            dataSource={m.activity}
            columns={['Time', 'Client ID', 'Request', 'Status'].map((title, i) => ({ title, key: title, render: (_, r) => r[i] }))}
          />
        </Card>
      )}
    </Space>
  );
}

function Buttons({ m }) {
  return (
    <Space style={{ marginBottom: 16 }}>
      {m.masked && <Button>Show</Button>}
      {m.buttons.map((b) => (
        <Button key={b} type={b === 'Save' || b === 'Edit' ? 'primary' : 'default'}>
          {b}
        </Button>
      ))}
    </Space>
  );
}

function UsersPage({ m }) {
  return (
    <Table
      size="small"
      pagination={false}
      rowKey={(r) => r[1]}
      dataSource={m.users}
      columns={['Name', 'Email', 'Status'].map((title, i) => ({ title, key: title, render: (_, r) => r[i] }))}
    />
  );
}

function Shell({ m, title, children }) {
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center' }}>
        <Text style={{ color: '#fff', marginRight: 24 }}>PingOne</Text>
        <Menu theme="dark" mode="horizontal" selectedKeys={['Setup']} items={m.nav.map((n) => ({ key: n, label: n }))} style={{ flex: 1 }} />
      </Layout.Header>
      {m.noise.has('banner') && <Alert banner message={m.banner} />}
      <Layout>
        <Layout.Sider width={220} theme="light">
          <Menu mode="inline" selectedKeys={['API Credentials']} items={m.side.map((s) => ({ key: s, label: s }))} />
        </Layout.Sider>
        <Layout.Content style={{ padding: 24 }}>
          <Title level={2}>{title}</Title>
          {children}
        </Layout.Content>
      </Layout>
    </Layout>
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
          <Modal open title={m.heading} width={720} footer={<Button>Close</Button>}>
            {content}
          </Modal>
        </Shell>
      );
    case 'tabs':
      return (
        <Shell m={m} title="Directory Settings">
          <Tabs
            activeKey="credentials"
            items={[
              { key: 'attributes', label: 'Attributes', children: 'Attributes' },
              { key: 'credentials', label: m.heading, children: content },
              { key: 'policy', label: 'Password Policy', children: 'Password policy' },
            ]}
          />
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
