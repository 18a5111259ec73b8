-- A job's own webhookUrl: its end is posted to the account's endpoint at that URL, whatever the endpoint's filter.
alter table jobs add column webhook_url text;
