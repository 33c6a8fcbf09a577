/** The RabbitMQ center lives in ./amqp/ (one file per role); this path stays for its importers. */
export { AmqpEventCenter } from "./amqp/AmqpEventCenter.js";
export { DEFAULT_AMQP_URL, type AmqpEventCenterOptions } from "./amqp/options.js";
