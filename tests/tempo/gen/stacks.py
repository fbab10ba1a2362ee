"""Exception texts for the hand-built trace corpus (gen/handbuilt.py).

Each function returns (exception.type, exception.message, exception.stacktrace)
in the format the language's OpenTelemetry SDK records, following
../shared/notes/anchors.md section (d).  All code paths, classes and line
numbers belong to fictional services written for this corpus.
"""


# ----------------------------------------------------------------------------
# Python (inventory)
# ----------------------------------------------------------------------------

def py_pg_timeout(host, sku):
    msg = 'connection to server at "%s", port 5432 failed: timeout expired' % host
    st = (
        "Traceback (most recent call last):\n"
        '  File "/srv/inventory/app/api/stock.py", line 48, in get_stock\n'
        "    level = db.stock_level(sku, warehouse)\n"
        "            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        '  File "/srv/inventory/app/db.py", line 77, in stock_level\n'
        "    with self.pool.connection() as conn:\n"
        '  File "/usr/local/lib/python3.12/contextlib.py", line 137, in __enter__\n'
        "    return next(self.gen)\n"
        "           ^^^^^^^^^^^^^^\n"
        '  File "/srv/inventory/app/db.py", line 41, in connection\n'
        "    conn = psycopg2.connect(self.dsn, connect_timeout=3)\n"
        "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        '  File "/srv/inventory/venv/lib/python3.12/site-packages/psycopg2/__init__.py", line 122, '
        "in connect\n"
        "    conn = _connect(dsn, connection_factory=connection_factory, **kwasync)\n"
        "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "psycopg2.OperationalError: %s\n" % msg)
    return "psycopg2.OperationalError", msg, st


def py_stock_conflict(sku, qty, other_order):
    msg = "sku %s: %d requested, reservation raced with order %d" % (sku, qty, other_order)
    st = (
        "Traceback (most recent call last):\n"
        '  File "/srv/inventory/app/reservations.py", line 88, in reserve_stock\n'
        "    cur.execute(RESERVE_SQL, (sku, qty, order_id))\n"
        "psycopg2.errors.SerializationFailure: could not serialize access due to concurrent update\n"
        "\n"
        "\n"
        "During handling of the above exception, another exception occurred:\n"
        "\n"
        "Traceback (most recent call last):\n"
        '  File "/srv/inventory/venv/lib/python3.12/site-packages/grpc/_server.py", line 555, '
        "in _call_behavior\n"
        "    response_or_iterator = behavior(argument, context)\n"
        "                           ^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        '  File "/srv/inventory/app/grpc_service.py", line 63, in Reserve\n'
        "    reservation = reserve_stock(request.sku, request.quantity, request.order_id)\n"
        "                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        '  File "/srv/inventory/app/reservations.py", line 95, in reserve_stock\n'
        '    raise StockConflictError(f"sku {sku}: {qty} requested, reservation raced with '
        'order {other}")\n'
        "app.inventory.errors.StockConflictError: %s\n" % msg)
    return "app.inventory.errors.StockConflictError", msg, st


def py_serialization_failure():
    msg = "could not serialize access due to concurrent update"
    st = (
        "Traceback (most recent call last):\n"
        '  File "/srv/inventory/app/reservations.py", line 88, in reserve_stock\n'
        "    cur.execute(RESERVE_SQL, (sku, qty, order_id))\n"
        "psycopg2.errors.SerializationFailure: %s\n" % msg)
    return "psycopg2.errors.SerializationFailure", msg, st


# ----------------------------------------------------------------------------
# Java (checkout)
# ----------------------------------------------------------------------------

_JAVA_MVC_TAIL = (
    "\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)\n"
    "\tat java.base/java.lang.reflect.Method.invoke(Method.java:580)\n"
    "\tat org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:255)\n"
    "\tat org.springframework.web.method.support.InvocableHandlerMethod.invokeForRequest(InvocableHandlerMethod.java:188)\n"
    "\tat org.springframework.web.servlet.mvc.method.annotation.ServletInvocableHandlerMethod.invokeAndHandle(ServletInvocableHandlerMethod.java:118)\n"
    "\tat org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java:1089)\n"
    "\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)\n"
    "\tat org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:140)\n"
    "\tat org.apache.tomcat.util.threads.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:659)\n"
    "\tat java.base/java.lang.Thread.run(Thread.java:1583)\n")


def java_npe():
    msg = ('Cannot invoke "com.acme.checkout.model.Address.getCountry()" because the return value '
           'of "com.acme.checkout.model.Order.getShippingAddress()" is null')
    st = ("java.lang.NullPointerException: %s\n"
          "\tat com.acme.checkout.service.ShippingQuoteService.quote(ShippingQuoteService.java:57)\n"
          "\tat com.acme.checkout.service.CheckoutService.submit(CheckoutService.java:112)\n"
          "\tat com.acme.checkout.api.CheckoutController.checkout(CheckoutController.java:44)\n"
          % msg) + _JAVA_MVC_TAIL
    return "java.lang.NullPointerException", msg, st


def java_payment_timeout():
    msg = 'I/O error on POST request for "http://payment:8080/api/charge": Read timed out'
    st = ("org.springframework.web.client.ResourceAccessException: %s\n"
          "\tat org.springframework.web.client.RestTemplate.createResourceAccessException(RestTemplate.java:926)\n"
          "\tat org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:906)\n"
          "\tat org.springframework.web.client.RestTemplate.postForEntity(RestTemplate.java:508)\n"
          "\tat com.acme.checkout.payment.PaymentClient.charge(PaymentClient.java:73)\n"
          "\tat com.acme.checkout.service.CheckoutService.submit(CheckoutService.java:127)\n"
          "\tat com.acme.checkout.api.CheckoutController.checkout(CheckoutController.java:44)\n"
          % msg) + _JAVA_MVC_TAIL + (
          "Caused by: java.net.SocketTimeoutException: Read timed out\n"
          "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:278)\n"
          "\tat java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:304)\n"
          "\tat java.base/sun.nio.ch.NioSocketImpl.read(NioSocketImpl.java:346)\n"
          "\tat java.base/java.net.Socket$SocketInputStream.read(Socket.java:1099)\n"
          "\tat org.apache.hc.core5.http.impl.io.SessionInputBufferImpl.fillBuffer(SessionInputBufferImpl.java:149)\n"
          "\tat org.apache.hc.client5.http.impl.classic.InternalHttpClient.doExecute(InternalHttpClient.java:170)\n"
          "\tat org.springframework.http.client.HttpComponentsClientHttpRequest.executeInternal(HttpComponentsClientHttpRequest.java:95)\n"
          "\tat org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:900)\n"
          "\t... 16 more\n")
    return "org.springframework.web.client.ResourceAccessException", msg, st


def java_payment_503():
    msg = ('503 Service Unavailable: "{"type":"about:blank","title":"Service Unavailable",'
           '"status":503,"detail":"payment gateway timed out"}"')
    st = ("org.springframework.web.client.HttpServerErrorException$ServiceUnavailable: %s\n"
          "\tat org.springframework.web.client.HttpServerErrorException.create(HttpServerErrorException.java:116)\n"
          "\tat org.springframework.web.client.StatusHandler.lambda$defaultHandler$0(StatusHandler.java:86)\n"
          "\tat org.springframework.web.client.DefaultResponseErrorHandler.handleError(DefaultResponseErrorHandler.java:145)\n"
          "\tat org.springframework.web.client.RestTemplate.handleResponse(RestTemplate.java:942)\n"
          "\tat org.springframework.web.client.RestTemplate.postForEntity(RestTemplate.java:508)\n"
          "\tat com.acme.checkout.payment.PaymentClient.charge(PaymentClient.java:73)\n"
          "\tat com.acme.checkout.service.CheckoutService.submit(CheckoutService.java:127)\n"
          "\tat com.acme.checkout.api.CheckoutController.checkout(CheckoutController.java:44)\n"
          % msg) + _JAVA_MVC_TAIL
    return "org.springframework.web.client.HttpServerErrorException$ServiceUnavailable", msg, st


def java_grpc_unavailable():
    msg = "UNAVAILABLE: io exception"
    st = ("io.grpc.StatusRuntimeException: %s\n"
          "\tat io.grpc.stub.ClientCalls.toStatusRuntimeException(ClientCalls.java:268)\n"
          "\tat io.grpc.stub.ClientCalls.getUnchecked(ClientCalls.java:249)\n"
          "\tat io.grpc.stub.ClientCalls.blockingUnaryCall(ClientCalls.java:167)\n"
          "\tat com.acme.inventory.v1.StockServiceGrpc$StockServiceBlockingStub.reserve(StockServiceGrpc.java:312)\n"
          "\tat com.acme.checkout.inventory.InventoryClient.reserve(InventoryClient.java:58)\n"
          "\tat com.acme.checkout.service.CheckoutService.submit(CheckoutService.java:104)\n"
          "\tat com.acme.checkout.api.CheckoutController.checkout(CheckoutController.java:44)\n"
          % msg) + _JAVA_MVC_TAIL + (
          "Caused by: io.netty.channel.AbstractChannel$AnnotatedConnectException: Connection refused: "
          "inventory/10.42.3.17:50051\n"
          "Caused by: java.net.ConnectException: Connection refused\n"
          "\tat java.base/sun.nio.ch.Net.pollConnect(Native Method)\n"
          "\tat java.base/sun.nio.ch.Net.pollConnectNow(Net.java:682)\n"
          "\tat java.base/sun.nio.ch.SocketChannelImpl.finishConnect(SocketChannelImpl.java:973)\n"
          "\tat io.netty.channel.socket.nio.NioSocketChannel.doFinishConnect(NioSocketChannel.java:337)\n"
          "\tat io.netty.channel.nio.AbstractNioChannel$AbstractNioUnsafe.finishConnect(AbstractNioChannel.java:335)\n"
          "\tat io.netty.channel.nio.NioEventLoop.processSelectedKey(NioEventLoop.java:776)\n"
          "\t... 6 more\n")
    return "io.grpc.StatusRuntimeException", msg, st


def java_grpc_aborted(conflict_msg):
    msg = "ABORTED: " + conflict_msg
    st = ("io.grpc.StatusRuntimeException: %s\n"
          "\tat io.grpc.stub.ClientCalls.toStatusRuntimeException(ClientCalls.java:268)\n"
          "\tat io.grpc.stub.ClientCalls.getUnchecked(ClientCalls.java:249)\n"
          "\tat io.grpc.stub.ClientCalls.blockingUnaryCall(ClientCalls.java:167)\n"
          "\tat com.acme.inventory.v1.StockServiceGrpc$StockServiceBlockingStub.reserve(StockServiceGrpc.java:312)\n"
          "\tat com.acme.checkout.inventory.InventoryClient.reserve(InventoryClient.java:58)\n"
          "\tat com.acme.checkout.service.CheckoutService.submit(CheckoutService.java:104)\n"
          "\tat com.acme.checkout.api.CheckoutController.checkout(CheckoutController.java:44)\n"
          % msg) + _JAVA_MVC_TAIL
    return "io.grpc.StatusRuntimeException", msg, st


def java_jdbc_failure(truncate_at=0):
    msg = "Unable to acquire JDBC Connection"
    st = ("org.springframework.dao.DataAccessResourceFailureException: %s\n"
          "\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException(HibernateJpaDialect.java:277)\n"
          "\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.translateExceptionIfPossible(HibernateJpaDialect.java:241)\n"
          "\tat org.springframework.dao.support.PersistenceExceptionTranslationInterceptor.invoke(PersistenceExceptionTranslationInterceptor.java:138)\n"
          "\tat com.acme.checkout.repo.OrderRepository$$SpringCGLIB$$0.findWithLines(<generated>)\n"
          "\tat com.acme.checkout.service.OrderService.find(OrderService.java:61)\n"
          "\tat com.acme.checkout.api.OrderController.get(OrderController.java:33)\n"
          % msg) + _JAVA_MVC_TAIL + (
          "\tSuppressed: java.lang.IllegalStateException: rollback failed: connection already closed\n"
          "\t\tat com.acme.checkout.tx.TxGuard.close(TxGuard.java:52)\n"
          "\t\tat com.acme.checkout.service.OrderService.find(OrderService.java:66)\n"
          "\t\t... 11 more\n"
          "Caused by: org.hibernate.exception.JDBCConnectionException: Unable to acquire JDBC Connection [HikariPool-1 - Connection is not available, request timed out after 30004ms.] [n/a]\n"
          "\tat org.hibernate.exception.internal.SQLStateConversionDelegate.convert(SQLStateConversionDelegate.java:100)\n"
          "\tat org.hibernate.exception.internal.StandardSQLExceptionConverter.convert(StandardSQLExceptionConverter.java:58)\n"
          "\tat org.hibernate.engine.jdbc.spi.SqlExceptionHelper.convert(SqlExceptionHelper.java:108)\n"
          "\tat org.hibernate.resource.jdbc.internal.LogicalConnectionManagedImpl.acquireConnectionIfNeeded(LogicalConnectionManagedImpl.java:112)\n"
          "\tat org.hibernate.resource.jdbc.internal.LogicalConnectionManagedImpl.getPhysicalConnection(LogicalConnectionManagedImpl.java:138)\n"
          "\tat org.hibernate.engine.jdbc.internal.StatementPreparerImpl.connection(StatementPreparerImpl.java:50)\n"
          "\t... 24 more\n"
          "Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30004ms.\n"
          "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)\n"
          "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)\n"
          "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:146)\n"
          "\tat com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:100)\n"
          "\tat org.hibernate.engine.jdbc.connections.internal.DatasourceConnectionProviderImpl.getConnection(DatasourceConnectionProviderImpl.java:122)\n"
          "\t... 29 more\n")
    if truncate_at and len(st.encode()) > truncate_at:
        # Tempo 2.7+ cuts attribute values at max_attribute_bytes (2048)
        st = st.encode()[:truncate_at].decode("utf-8", "ignore")
    return "org.springframework.dao.DataAccessResourceFailureException", msg, st


# ----------------------------------------------------------------------------
# .NET (payment)
# ----------------------------------------------------------------------------

def dotnet_gateway_504(attempt):
    msg = "Response status code does not indicate success: 504 (Gateway Timeout)."
    st = ("System.Net.Http.HttpRequestException: %s\n"
          "   at System.Net.Http.HttpResponseMessage.EnsureSuccessStatusCode()\n"
          "   at Acme.Payments.Gateway.GatewayClient.CaptureAsync(CaptureRequest request, CancellationToken ct) "
          "in /src/Acme.Payments/Gateway/GatewayClient.cs:line 77\n"
          "   at Polly.Outcome`1.GetResultOrRethrow()\n"
          "   at Polly.ResiliencePipeline.<>c__10`2.<<ExecuteAsync>b__10_0>d.MoveNext()\n" % msg)
    return "System.Net.Http.HttpRequestException", msg, st


def dotnet_gateway_timeout(order_id):
    msg = "Payment gateway did not answer within 5000 ms for order %d" % order_id
    st = ("Acme.Payments.PaymentGatewayTimeoutException: %s\n"
          " ---> System.Net.Http.HttpRequestException: Response status code does not indicate success: "
          "504 (Gateway Timeout).\n"
          "   at System.Net.Http.HttpResponseMessage.EnsureSuccessStatusCode()\n"
          "   at Acme.Payments.Gateway.GatewayClient.CaptureAsync(CaptureRequest request, CancellationToken ct) "
          "in /src/Acme.Payments/Gateway/GatewayClient.cs:line 77\n"
          "   --- End of inner exception stack trace ---\n"
          "   at Acme.Payments.Gateway.GatewayClient.CaptureAsync(CaptureRequest request, CancellationToken ct) "
          "in /src/Acme.Payments/Gateway/GatewayClient.cs:line 91\n"
          "   at Polly.ResiliencePipeline.<>c__10`2.<<ExecuteAsync>b__10_0>d.MoveNext()\n"
          "--- End of stack trace from previous location ---\n"
          "   at Acme.Payments.PaymentService.ChargeAsync(ChargeRequest request) "
          "in /src/Acme.Payments/PaymentService.cs:line 131\n"
          "   at Acme.Payments.Api.ChargeEndpoint.HandleAsync(ChargeRequest request, CancellationToken ct) "
          "in /src/Acme.Payments.Api/ChargeEndpoint.cs:line 38\n"
          "   at Microsoft.AspNetCore.Http.RequestDelegateFactory.<ExecuteTaskOfT>g__ExecuteAwaited|129_0[T]"
          "(Task`1 task, HttpContext httpContext, JsonTypeInfo`1 jsonTypeInfo)\n"
          "   at Microsoft.AspNetCore.Routing.EndpointMiddleware.<Invoke>g__AwaitRequestTask|7_0(Endpoint endpoint, "
          "Task requestTask, ILogger logger)\n" % msg)
    return "Acme.Payments.PaymentGatewayTimeoutException", msg, st


def dotnet_card_declined(order_id):
    msg = "Zahlung für Bestellung %d abgelehnt: Karte gesperrt (issuer code 62)" % order_id
    st = ("Acme.Payments.CardDeclinedException: %s\n"
          "   at Acme.Payments.PaymentService.ChargeAsync(ChargeRequest request) "
          "in /src/Acme.Payments/PaymentService.cs:line 144\n"
          "   at Acme.Payments.Api.ChargeEndpoint.HandleAsync(ChargeRequest request, CancellationToken ct) "
          "in /src/Acme.Payments.Api/ChargeEndpoint.cs:line 38\n" % msg)
    return "Acme.Payments.CardDeclinedException", msg, st


# ----------------------------------------------------------------------------
# Go (shipping)
# ----------------------------------------------------------------------------

def go_nil_panic(goroutine):
    msg = "runtime error: invalid memory address or nil pointer dereference"
    st = ("panic: runtime error: invalid memory address or nil pointer dereference [recovered]\n"
          "\tpanic: runtime error: invalid memory address or nil pointer dereference\n"
          "[signal SIGSEGV: segmentation violation code=0x1 addr=0x28 pc=0x8f3e12]\n"
          "\n"
          "goroutine %d [running]:\n"
          "github.com/acme/fulfil/internal/consumer.(*Handler).recoverSpan(0xc0001a2b40, {0xb2f6c8, 0xc0004b8150})\n"
          "\t/build/internal/consumer/handler.go:88 +0x1c5\n"
          "panic({0x9d5e40?, 0xf2c6a0?})\n"
          "\t/usr/local/go/src/runtime/panic.go:785 +0x132\n"
          "github.com/acme/fulfil/internal/shipment.(*Planner).assignCarrier(0xc000512a80, 0x0)\n"
          "\t/build/internal/shipment/planner.go:214 +0x52\n"
          "github.com/acme/fulfil/internal/shipment.(*Planner).Plan(0xc000512a80, {0xb1c2a0, 0xc0003f6e40}, "
          "{0xc0004a2000, 0x3, 0x4})\n"
          "\t/build/internal/shipment/planner.go:97 +0x1e5\n"
          "github.com/acme/fulfil/internal/consumer.(*Handler).handleShipment(0xc0001a2b40, {0xb2f6c8, "
          "0xc0004b8150}, 0xc0002d6000)\n"
          "\t/build/internal/consumer/handler.go:131 +0x2b4\n"
          "github.com/acme/fulfil/internal/consumer.(*Handler).ConsumeClaim.func1()\n"
          "\t/build/internal/consumer/handler.go:64 +0x9d\n"
          "created by github.com/acme/fulfil/internal/consumer.(*Handler).ConsumeClaim in goroutine 41\n"
          "\t/build/internal/consumer/handler.go:58 +0x1a5\n" % goroutine)
    return "runtime.errorString", msg, st


def go_wrap_error(goroutine, order_id):
    msg = "create shipment: load order %d: sql: no rows in result set" % order_id
    st = ("goroutine %d [running]:\n"
          "go.opentelemetry.io/otel/sdk/trace.recordStackTrace()\n"
          "\t/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.28.0/trace/span.go:558 +0x4d\n"
          "go.opentelemetry.io/otel/sdk/trace.(*recordingSpan).RecordError(0xc0002e4180, {0xb0e2a0, "
          "0xc0003a1c20}, {0xc0001b3d38, 0x1, 0x1})\n"
          "\t/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.28.0/trace/span.go:507 +0x2f1\n"
          "github.com/acme/fulfil/internal/consumer.(*Handler).handleShipment(0xc0001a2b40, {0xb2f6c8, "
          "0xc0004b8150}, 0xc0002d6000)\n"
          "\t/build/internal/consumer/handler.go:139 +0x3c5\n"
          "github.com/acme/fulfil/internal/consumer.(*Handler).ConsumeClaim.func1()\n"
          "\t/build/internal/consumer/handler.go:64 +0x9d\n"
          "created by github.com/acme/fulfil/internal/consumer.(*Handler).ConsumeClaim in goroutine 41\n"
          "\t/build/internal/consumer/handler.go:58 +0x1a5\n" % goroutine)
    return "*fmt.wrapError", msg, st


# ----------------------------------------------------------------------------
# Node.js (frontend, hand-built part)
# ----------------------------------------------------------------------------

def node_cart_typeerror():
    msg = "Cannot read properties of undefined (reading 'sku')"
    st = ("TypeError: Cannot read properties of undefined (reading 'sku')\n"
          "    at priceLine (/srv/frontend/dist/cart/pricing.js:58:31)\n"
          "    at Array.map (<anonymous>)\n"
          "    at CartService.total (/srv/frontend/dist/cart/service.js:112:24)\n"
          "    at async CartController.show (/srv/frontend/dist/cart/controller.js:27:19)\n"
          "    at async /srv/frontend/node_modules/@nestjs/core/router/router-execution-context.js:46:28\n"
          "    at async /srv/frontend/node_modules/@nestjs/core/router/router-proxy.js:9:17")
    return "TypeError", msg, st


def node_econnrefused(host):
    msg = "connect ECONNREFUSED %s:3000" % host
    st = ("Error: connect ECONNREFUSED %s:3000\n"
          "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1611:16)\n"
          "    at TCPConnectWrap.callbackTrampoline (node:internal/async_hooks:130:17)" % host)
    return "ECONNREFUSED", msg, st


# ----------------------------------------------------------------------------
# Ruby (refunds)
# ----------------------------------------------------------------------------

def ruby_amount_exceeded(charge, new_format):
    msg = "refund exceeds captured amount for charge %s" % charge
    if new_format:     # Ruby 3.4: 'Class#method'
        st = ("/app/app/services/refunds/issue.rb:37:in 'Refunds::Issue#call': %s (Refunds::AmountExceeded)\n"
              "\tfrom /app/app/controllers/api/refunds_controller.rb:18:in 'Api::RefundsController#create'\n"
              "\tfrom /usr/local/bundle/gems/actionpack-7.2.1/lib/action_controller/metal/basic_implicit_render.rb:8:in "
              "'ActionController::BasicImplicitRender#send_action'\n"
              "\tfrom /usr/local/bundle/gems/activesupport-7.2.1/lib/active_support/callbacks.rb:101:in "
              "'block in ActiveSupport::Callbacks#run_callbacks'\n"
              "\tfrom /usr/local/bundle/gems/puma-6.4.3/lib/puma/thread_pool.rb:155:in "
              "'block in Puma::ThreadPool#spawn_thread'" % msg)
    else:              # Ruby < 3.4: `method'
        st = ("/app/app/services/refunds/issue.rb:37:in `call': %s (Refunds::AmountExceeded)\n"
              "\tfrom /app/app/controllers/api/refunds_controller.rb:18:in `create'\n"
              "\tfrom /usr/local/bundle/gems/actionpack-7.1.3/lib/action_controller/metal/basic_implicit_render.rb:6:in "
              "`send_action'\n"
              "\tfrom /usr/local/bundle/gems/activesupport-7.1.3/lib/active_support/callbacks.rb:98:in "
              "`block in run_callbacks'\n"
              "\tfrom /usr/local/bundle/gems/puma-6.4.2/lib/puma/thread_pool.rb:155:in `block in spawn_thread'" % msg)
    return "Refunds::AmountExceeded", msg, st


def ruby_ledger_timeout(charge):
    msg = "ledger unavailable while refunding %s" % charge
    st = ("/app/app/services/refunds/issue.rb:31:in 'Refunds::Issue#call': %s (Refunds::LedgerUnavailable)\n"
          "\tfrom /app/app/controllers/api/refunds_controller.rb:18:in 'Api::RefundsController#create'\n"
          "\tfrom /usr/local/bundle/gems/actionpack-7.2.1/lib/action_controller/metal/basic_implicit_render.rb:8:in "
          "'ActionController::BasicImplicitRender#send_action'\n"
          "/app/app/clients/ledger_client.rb:44:in 'LedgerClient#balance_for': Net::ReadTimeout with "
          "#<TCPSocket:(closed)> (Net::ReadTimeout)\n"
          "\tfrom /app/app/services/refunds/issue.rb:29:in 'Refunds::Issue#call'\n"
          "\tfrom /app/app/controllers/api/refunds_controller.rb:18:in 'Api::RefundsController#create'" % msg)
    return "Refunds::LedgerUnavailable", msg, st


# ----------------------------------------------------------------------------
# PHP (invoicing)
# ----------------------------------------------------------------------------

def php_invoice_not_found(invoice):
    msg = "Invoice %d not found" % invoice
    st = ("App.Billing.InvoiceNotFound: %s\n"
          "\tat App.Billing.InvoiceRepository.get(InvoiceRepository.php:54)\n"
          "\tat App.Billing.InvoiceService.show(InvoiceService.php:31)\n"
          "\tat App.Http.Controller.InvoiceController.__invoke(InvoiceController.php:22)\n"
          "\tat Symfony.Component.HttpKernel.HttpKernel.handleRaw(HttpKernel.php:181)\n"
          "\tat Symfony.Component.HttpKernel.HttpKernel.handle(HttpKernel.php:76)\n"
          "\tat {main}(index.php:20)" % msg)
    return "App\\Billing\\InvoiceNotFound", msg, st


def php_render_failed(invoice):
    msg = "Invoice %d could not be rendered" % invoice
    st = ("App.Billing.InvoiceRenderingFailed: %s\n"
          "\tat App.Billing.PdfRenderer.render(PdfRenderer.php:88)\n"
          "\tat App.Billing.InvoiceService.pdf(InvoiceService.php:47)\n"
          "\tat App.Http.Controller.InvoicePdfController.__invoke(InvoicePdfController.php:25)\n"
          "\tat Symfony.Component.HttpKernel.HttpKernel.handleRaw(HttpKernel.php:181)\n"
          "\tat Symfony.Component.HttpKernel.HttpKernel.handle(HttpKernel.php:76)\n"
          "\tat {main}(index.php:20)\n"
          "Caused by: PDOException: SQLSTATE[HY000] [2002] Connection refused\n"
          "\tat PDO.__construct(Connection.php:67)\n"
          "\tat Doctrine.DBAL.Driver.PDO.Driver.connect(Driver.php:44)\n"
          "\t... 4 more" % msg)
    return "App\\Billing\\InvoiceRenderingFailed", msg, st


def php_native_typeerror():
    msg = ("App\\Billing\\Money::fromCents(): Argument #1 ($cents) must be of type int, string given, "
           "called in /var/www/src/Billing/InvoiceService.php on line 44")
    st = ("PHP Fatal error:  Uncaught TypeError: %s and defined in /var/www/src/Billing/Money.php:12\n"
          "Stack trace:\n"
          "#0 /var/www/src/Billing/InvoiceService.php(44): App\\Billing\\Money::fromCents('1999')\n"
          "#1 /var/www/src/Http/Controller/InvoiceController.php(22): App\\Billing\\InvoiceService->show('88123')\n"
          "#2 /var/www/vendor/symfony/http-kernel/HttpKernel.php(181): App\\Http\\Controller\\InvoiceController->"
          "__invoke(Object(Symfony\\Component\\HttpFoundation\\Request))\n"
          "#3 /var/www/vendor/symfony/http-kernel/HttpKernel.php(76): Symfony\\Component\\HttpKernel\\HttpKernel->"
          "handleRaw(Object(Symfony\\Component\\HttpFoundation\\Request), 1)\n"
          "#4 /var/www/public/index.php(20): Symfony\\Component\\HttpKernel\\HttpKernel->handle(Object(Symfony\\"
          "Component\\HttpFoundation\\Request))\n"
          "#5 {main}\n"
          "  thrown in /var/www/src/Billing/Money.php on line 12" % msg)
    return "TypeError", msg, st
