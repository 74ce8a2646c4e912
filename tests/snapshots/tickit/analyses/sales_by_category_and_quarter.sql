-- Gross sales and commission by category and quarter, for the sales summary dashboard.

select
    cat_group,
    cat_name,
    qtr,
    sum(qty_sold) as tickets_sold,
    sum(price_paid) as gross_sales,
    sum(commission) as total_commission
from "main"."fct_sales"
group by cat_group, cat_name, qtr
order by cat_group, cat_name, qtr
