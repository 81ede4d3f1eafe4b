"""The official PDF invoice of an order (fpdf2, its built-in Helvetica: no font files to ship).

The built-in fonts cover Latin-1; other characters in names and addresses are replaced so an invoice is
always produced. Amounts are written with the currency code, never a symbol, for the same reason.
"""

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from billing.catalog import currency_decimals


def _latin1(text) -> str:
    return str(text).encode("latin-1", "replace").decode("latin-1")


def _money(amount, currency: str) -> str:
    return f"{amount:,.{currency_decimals(currency)}f} {currency}"


def invoice_title(order) -> str:
    return _("Credit note") if order.is_credit else _("Invoice")


def invoice_pdf(order) -> bytes:
    """The invoice (or credit note, for a decrease) of `order` as PDF bytes, in the organization's language."""
    tenant = order.tenant
    with translation.override(tenant.preferred_language or "en"):
        pdf = FPDF(format="A4")
        pdf.set_title(_latin1(f"{invoice_title(order)} {order.number}"))
        pdf.set_author(_latin1(settings.PRODUCT_NAME))
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 18)
        pdf.cell(0, 10, _latin1(f"{invoice_title(order)} {order.number}"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        address = order.service_address or {}
        rows = [
            (_("Organization"), tenant.name),
            (_("Service usage address"), ", ".join(filter(None, [address.get("street"), address.get("postal_code"),
                                                                 address.get("city"), address.get("state"),
                                                                 address.get("country")]))),
            (_("Order date"), formats.date_format(order.placed_at, "Y-m-d")),
            (_("Order type"), order.get_kind_display()),
            (_("Payment"), order.payment_label or "-"),
        ]
        if order.po_number:
            rows.append((_("PO number"), order.po_number))
        if order.partner_id:
            rows.append((_("Partner ID"), order.partner_id))
        if order.due_at:
            rows.append((_("Due date"), formats.date_format(order.due_at, "Y-m-d") + " " + _("(net 30)")))
        for label, value in rows:
            pdf.cell(50, 6, _latin1(label + ":"))
            pdf.cell(0, 6, _latin1(value), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 10)
        widths = (80, 20, 30, 20, 40)
        # Licenses for plans, units for add-ons: one neutral heading.
        for width, heading in zip(widths, (_("Description"), _("Quantity"), _("Unit price/month"), _("Months"),
                                           _("Amount"))):
            pdf.cell(width, 7, _latin1(heading), border="B")
        pdf.ln()
        pdf.set_font("Helvetica", size=9)
        for line in order.lines.all():
            cells = (line.description[:48], str(line.quantity), _money(line.unit_price, order.currency),
                     f"{line.months.normalize():f}", _money(line.amount, order.currency))
            for width, value in zip(widths, cells):
                pdf.cell(width, 6, _latin1(value))
            pdf.ln()
        pdf.ln(2)
        pdf.set_font("Helvetica", size=10)
        for label, amount, bold in ((_("Subtotal"), order.subtotal, False),
                                    (_("Tax %(rate)s%%") % {"rate": f"{order.tax_rate.normalize():f}"}, order.tax, False),
                                    (_("Total"), order.total, True)):
            pdf.set_font("Helvetica", "B" if bold else "", 10)
            pdf.cell(150, 7, _latin1(label), align="R")
            pdf.cell(40, 7, _latin1(_money(amount, order.currency)), new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())
